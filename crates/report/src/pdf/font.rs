//! The embedded CJK font: metrics for layout, glyph encoding for content streams, and the
//! subset written into the PDF (a Type0 font over a CID-keyed CFF, Identity-H, with a
//! ToUnicode map so text can be searched and copied).

use std::collections::{BTreeMap, HashMap};

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Chunk, Filter, Finish, Name, Rect, Ref, Str};
use sha2::{Digest, Sha256};
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId, RawFace, Tag};

use crate::error::ReportError;

/// Noto Sans CJK SC Regular, subset to GBK + Latin-1 (see `data/fonts/README.md`).
pub(crate) static FONT_DATA: &[u8] =
    include_bytes!("../../../../data/fonts/NotoSansSC-Regular-GBK.otf");

/// PostScript name of the embedded font (without the subset tag).
const PS_NAME: &str = "NotoSansCJKsc-Regular";

/// The font while a document is laid out and written.
pub(crate) struct Font<'a> {
    face: Face<'a>,
    data: &'a [u8],
    units_per_em: f32,
    /// Old glyph id and advance (font units) per character, looked up once.
    cache: HashMap<char, (u16, u16)>,
    remapper: GlyphRemapper,
    /// New glyph id → (advance in font units, first character drawn with it).
    used: BTreeMap<u16, (u16, Option<char>)>,
}

impl<'a> Font<'a> {
    pub(crate) fn embedded() -> Result<Font<'static>, ReportError> {
        Font::new(FONT_DATA)
    }

    pub(crate) fn new(data: &'a [u8]) -> Result<Self, ReportError> {
        let face = Face::parse(data, 0)
            .map_err(|e| ReportError::Render(format!("内置字体无法读取：{e}")))?;
        let units_per_em = f32::from(face.units_per_em().max(1));
        Ok(Font {
            face,
            data,
            units_per_em,
            cache: HashMap::new(),
            remapper: GlyphRemapper::new(),
            used: BTreeMap::new(),
        })
    }

    /// Glyph id (0 = .notdef when the font lacks the character) and advance in font units.
    fn lookup(&mut self, c: char) -> (u16, u16) {
        if let Some(v) = self.cache.get(&c) {
            return *v;
        }
        let gid = self.face.glyph_index(c).unwrap_or(GlyphId(0));
        let adv = self
            .face
            .glyph_hor_advance(gid)
            .unwrap_or(self.face.units_per_em());
        self.cache.insert(c, (gid.0, adv));
        (gid.0, adv)
    }

    /// Whether the font has a glyph for `c`.
    #[cfg(test)]
    pub(crate) fn has_glyph(&mut self, c: char) -> bool {
        self.lookup(c).0 != 0
    }

    /// Advance width of one character at `size` points.
    pub(crate) fn char_width(&mut self, c: char, size: f32) -> f32 {
        f32::from(self.lookup(c).1) * size / self.units_per_em
    }

    /// Advance width of a text at `size` points, with `spacing` added after every character.
    pub(crate) fn text_width(&mut self, text: &str, size: f32, spacing: f32) -> f32 {
        text.chars()
            .map(|c| self.char_width(c, size) + spacing)
            .sum::<f32>()
    }

    /// The content-stream bytes showing `text` (2-byte CIDs, Identity-H), registering the
    /// glyphs for the subset.
    pub(crate) fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let (old, adv) = self.lookup(c);
            let new = self.remapper.remap(old);
            let entry = self.used.entry(new).or_insert((adv, None));
            if old != 0 && entry.1.is_none() {
                entry.1 = Some(c);
            }
            out.extend_from_slice(&new.to_be_bytes());
        }
        out
    }

    fn scaled(&self, v: f32) -> f32 {
        v * 1000.0 / self.units_per_em
    }

    /// Writes the Type0 font `type0` (and its CID font, descriptor, font file and ToUnicode
    /// map under fresh refs from `alloc`) with every glyph encoded so far.
    pub(crate) fn write(
        &self,
        chunk: &mut Chunk,
        type0: Ref,
        alloc: &mut impl FnMut() -> Ref,
    ) -> Result<(), ReportError> {
        let cid_ref = alloc();
        let descriptor_ref = alloc();
        let file_ref = alloc();
        let cmap_ref = alloc();

        // Subset: the CFF table of the subset font (CID-keyed, CID = new glyph id).
        let subset = subsetter::subset(self.data, 0, &self.remapper)
            .map_err(|e| ReportError::Render(format!("字体子集化失败：{e}")))?;
        let raw = RawFace::parse(&subset, 0)
            .map_err(|e| ReportError::Render(format!("字体子集无法读取：{e}")))?;
        let cff = raw
            .table(Tag::from_bytes(b"CFF "))
            .ok_or_else(|| ReportError::Render("字体子集缺少 CFF 表".into()))?;

        // Subset tag: six capital letters derived from the glyph set, as PDF asks.
        let mut h = Sha256::new();
        for gid in self.used.keys() {
            h.update(gid.to_be_bytes());
        }
        h.update(cff);
        let digest = h.finalize();
        let tag: String = digest[..6]
            .iter()
            .map(|b| char::from(b'A' + b % 26))
            .collect();
        let base_name = format!("{tag}+{PS_NAME}");
        let base = Name(base_name.as_bytes());
        let system_info = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };

        chunk
            .type0_font(type0)
            .base_font(base)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_ref)
            .to_unicode(cmap_ref);

        let mut cid = chunk.cid_font(cid_ref);
        cid.subtype(CidFontType::Type0)
            .base_font(base)
            .system_info(system_info)
            .font_descriptor(descriptor_ref)
            .default_width(1000.0);
        {
            let mut widths = cid.widths();
            let mut run_start: Option<u16> = None;
            let mut run: Vec<f32> = Vec::new();
            let mut prev: Option<u16> = None;
            for (&gid, &(adv, _)) in &self.used {
                let w = self.scaled(f32::from(adv));
                let contiguous = prev.is_some_and(|p| p.checked_add(1) == Some(gid));
                if !contiguous {
                    if let Some(start) = run_start {
                        widths.consecutive(start, run.drain(..));
                    }
                    run_start = Some(gid);
                }
                run.push(w);
                prev = Some(gid);
            }
            if let Some(start) = run_start {
                widths.consecutive(start, run.drain(..));
            }
        }
        cid.finish();

        let bbox = self.face.global_bounding_box();
        let ascent = self.scaled(f32::from(self.face.ascender()));
        let descent = self.scaled(f32::from(self.face.descender()));
        let cap = self
            .face
            .capital_height()
            .map(|c| self.scaled(f32::from(c)))
            .unwrap_or(ascent);
        chunk
            .font_descriptor(descriptor_ref)
            .name(base)
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(
                self.scaled(f32::from(bbox.x_min)),
                self.scaled(f32::from(bbox.y_min)),
                self.scaled(f32::from(bbox.x_max)),
                self.scaled(f32::from(bbox.y_max)),
            ))
            .italic_angle(0.0)
            .ascent(ascent)
            .descent(descent)
            .cap_height(cap)
            .stem_v(95.0)
            .font_file3(file_ref);

        let compressed = super::deflate(cff);
        chunk
            .stream(file_ref, &compressed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Subtype"), Name(b"CIDFontType0C"));

        let mut cmap = pdf_writer::types::UnicodeCmap::new(Name(b"Custom"), system_info);
        for (&gid, &(_, c)) in &self.used {
            if let Some(c) = c {
                cmap.pair(gid, c);
            }
        }
        let cmap_data = cmap.finish();
        let cmap_compressed = super::deflate(cmap_data.as_slice());
        let mut cmap_stream = chunk.cmap(cmap_ref, &cmap_compressed);
        cmap_stream.name(Name(b"Custom")).system_info(system_info);
        cmap_stream.filter(Filter::FlateDecode);
        cmap_stream.finish();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_covers_gbk_and_punctuation() {
        let mut font = match Font::embedded() {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        };
        for c in "信用报告某某建设工程有限公司镕堃喆玥（）《》“”、，。；：？！·—…0123456789ABCXYZabc-_/@№℃※〇①Ⅻ".chars() {
            assert!(font.has_glyph(c), "missing glyph for {c}");
        }
        // A CJK character is one em wide.
        assert!((font.char_width('信', 10.0) - 10.0).abs() < 0.01);
    }
}
