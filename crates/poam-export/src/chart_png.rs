//! The report's SVG charts drawn as PNG images, for the Word report (Word
//! takes no SVG): resvg renders the same SVG the HTML report shows, with
//! the machine's fonts for the labels.

use std::sync::OnceLock;

/// Fonts the charts' `sans-serif` labels are drawn in, first found first:
/// Arial and its metric twin Liberation Sans, Carlito (Calibri's twin,
/// which .ci/run installs), DejaVu Sans (LibreOffice's).
const SANS: &[&str] = &[
    "Arial",
    "Liberation Sans",
    "Carlito",
    "Calibri",
    "DejaVu Sans",
];

fn options() -> &'static Option<resvg::usvg::Options<'static>> {
    static OPTIONS: OnceLock<Option<resvg::usvg::Options<'static>>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut opt = resvg::usvg::Options::default();
        opt.fontdb_mut().load_system_fonts();
        let found = SANS
            .iter()
            .find(|family| {
                opt.fontdb
                    .faces()
                    .any(|face| face.families.iter().any(|(name, _)| name == *family))
            })
            .map(|f| f.to_string());
        // Without a font the labels would be blank: no chart rather than a
        // chart without its words.
        let family = found.or_else(|| {
            opt.fontdb
                .faces()
                .next()
                .and_then(|f| f.families.first().map(|(n, _)| n.clone()))
        })?;
        opt.fontdb_mut().set_sans_serif_family(family);
        Some(opt)
    })
}

/// A chart as PNG bytes at twice its size (sharp when printed), with its
/// size in CSS pixels; `None` when the machine has no font for the labels
/// or the SVG does not parse.
pub(crate) fn png(svg: &str) -> Option<(Vec<u8>, u32, u32)> {
    let opt = options().as_ref()?;
    let tree = resvg::usvg::Tree::from_str(svg, opt).ok()?;
    let size = tree.size().to_int_size();
    let scale = 2.0;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width() * 2, size.height() * 2)?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let bytes = pixmap.encode_png().ok()?;
    Some((bytes, size.width(), size.height()))
}
