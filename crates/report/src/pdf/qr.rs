//! The QR code of the verification URL, drawn as vector squares in a form XObject.

use pdf_writer::Content;
use qrcode::{Color, EcLevel, QrCode};

use crate::error::ReportError;

/// Quiet zone around the symbol, in modules (the standard asks for 4).
pub(crate) const QUIET: usize = 4;

/// A QR symbol: `width` × `width` modules, row by row from the top, `true` = dark.
pub(crate) struct Qr {
    pub(crate) width: usize,
    dark: Vec<bool>,
}

impl Qr {
    pub(crate) fn new(text: &str) -> Result<Self, ReportError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .map_err(|e| ReportError::InvalidVerifyUrl(format!("无法生成二维码：{e}")))?;
        let width = code.width();
        let dark = code
            .to_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect();
        Ok(Qr { width, dark })
    }

    /// Side of the form, quiet zone included, in modules.
    pub(crate) fn side(&self) -> usize {
        self.width + 2 * QUIET
    }

    /// Content of the form XObject in module units (one unit = one module), white
    /// background included. Horizontal runs of dark modules become one rectangle, and all of
    /// them are filled as one path, so viewers show no seams between modules.
    pub(crate) fn content(&self) -> Vec<u8> {
        let side = self.side() as f32;
        let mut c = Content::new();
        c.set_fill_gray(1.0);
        c.rect(0.0, 0.0, side, side);
        c.fill_nonzero();
        c.set_fill_gray(0.0);
        for y in 0..self.width {
            let row_y = (self.width - 1 - y + QUIET) as f32;
            let mut x = 0;
            while x < self.width {
                if self.dark.get(y * self.width + x).copied().unwrap_or(false) {
                    let start = x;
                    while x < self.width
                        && self.dark.get(y * self.width + x).copied().unwrap_or(false)
                    {
                        x += 1;
                    }
                    c.rect((start + QUIET) as f32, row_y, (x - start) as f32, 1.0);
                } else {
                    x += 1;
                }
            }
        }
        c.fill_nonzero();
        c.finish().into_vec()
    }
}
