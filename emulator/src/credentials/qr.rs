//! A QR code as a PNG image: what CreateVirtualMFADevice returns as
//! `QRCodePNG` for an authenticator app to scan. The `qrcode` crate lays
//! out the modules; `png` writes a one-bit grayscale image of them, each
//! module a square of pixels, with the four-module quiet zone the QR
//! standard asks for.

use qrcode::{Color, EcLevel, QrCode};

/// Pixels per module side.
const SCALE: usize = 4;
/// Modules of white border on each side (ISO/IEC 18004 §7.3.7).
const QUIET_ZONE: usize = 4;

/// The PNG of a QR code holding `text`; `None` if the text is too long
/// for a QR code (more than about 2 KiB).
pub fn png(text: &str) -> Option<Vec<u8>> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * SCALE;
    let row_bytes = side.div_ceil(8);
    let mut pixels = vec![0u8; row_bytes * side];
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = (
                (x / SCALE).wrapping_sub(QUIET_ZONE),
                (y / SCALE).wrapping_sub(QUIET_ZONE),
            );
            let dark = mx < modules && my < modules && colors[my * modules + mx] == Color::Dark;
            if !dark {
                // One bit per pixel, most significant first; 1 is white.
                pixels[y * row_bytes + x / 8] |= 0x80 >> (x % 8);
            }
        }
    }
    let side = u32::try_from(side).ok()?;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(&pixels).ok()?;
    writer.finish().ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_png_decodes_to_a_square_black_and_white_image() {
        let bytes =
            super::png("otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=ABC").unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!(info.width, info.height);
        assert!(
            info.width >= (21 + 8) * 4,
            "at least a version-1 code with its quiet zone"
        );
        assert_eq!(info.color_type, png::ColorType::Grayscale);
    }

    #[test]
    fn text_too_long_for_a_qr_code_is_refused() {
        assert!(super::png(&"x".repeat(10_000)).is_none());
    }
}
