//! How a report store keeps a body: LZ4-compressed when that saves space, else as is.
//!
//! A report is JSON with much repetition (one entry per engine, the same keys in each), so
//! LZ4 keeps about a third of it or less, at a cost of a few microseconds per report each
//! way. What that saves is what a store writes: SQLite writes every body twice (into its
//! write-ahead log, then into the database), and Redis keeps every body in memory. Both
//! stores of the vt-rs family (`vt-cache`'s SQLite file, `vt-redis`'s Redis) keep bodies
//! this way and record the [`BodyCodec`] beside each, so the body read back is byte for
//! byte the one stored, and a damaged one is an error, never a wrong answer.
//!
//! ```
//! use vt_api::cache::{BodyCodec, compress_body, decompress_body};
//!
//! let body = br#"{"data": {"attributes": {"a": 1, "b": 1, "c": 1}}}"#.repeat(40);
//! let (codec, kept) = compress_body(&body);
//! assert_eq!(codec, BodyCodec::Lz4);
//! assert!(kept.len() < body.len() / 4);
//! assert_eq!(decompress_body(codec, &kept).unwrap(), body);
//! ```

use bytes::Bytes;

/// How a stored body is kept ([`compress_body`]); its [`id`](BodyCodec::id) is what a store
/// records beside the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyCodec {
    /// As received.
    Raw,
    /// An LZ4 block, its decompressed length first (4 bytes, little-endian).
    Lz4,
}

impl BodyCodec {
    /// The number a store records for this codec (`Raw` 0, `Lz4` 1; never reused).
    pub const fn id(self) -> u8 {
        match self {
            BodyCodec::Raw => 0,
            BodyCodec::Lz4 => 1,
        }
    }

    /// The codec recorded as `id`; `None` for a number this version does not know (a newer
    /// store's: treat the entry as unreadable, never guess).
    pub const fn from_id(id: u8) -> Option<BodyCodec> {
        match id {
            0 => Some(BodyCodec::Raw),
            1 => Some(BodyCodec::Lz4),
            _ => None,
        }
    }
}

/// Why a stored body cannot be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a damaged cached body: {0}")]
pub struct BodyCodecError(String);

/// Bodies shorter than this are kept as is (a not-found answer, a short error).
const MIN_COMPRESSED: usize = 512;
/// The largest body a stored length may announce; a larger one means a damaged entry.
const MAX_BODY: usize = 1 << 30;

/// The bytes to keep for `body`, and their codec: LZ4 when it keeps at most 90 % of it,
/// else the body as is.
pub fn compress_body(body: &[u8]) -> (BodyCodec, Vec<u8>) {
    if body.len() >= MIN_COMPRESSED {
        let packed = lz4_flex::block::compress_prepend_size(body);
        if packed.len() <= body.len() / 10 * 9 {
            return (BodyCodec::Lz4, packed);
        }
    }
    (BodyCodec::Raw, body.to_vec())
}

/// The body kept as `stored` with `codec` ([`compress_body`]); an error, never a wrong
/// body, for damaged bytes.
pub fn decompress_body(codec: BodyCodec, stored: &[u8]) -> Result<Bytes, BodyCodecError> {
    match codec {
        BodyCodec::Raw => Ok(Bytes::copy_from_slice(stored)),
        BodyCodec::Lz4 => {
            let (len, block) = stored
                .split_first_chunk::<4>()
                .ok_or_else(|| BodyCodecError("shorter than its length".into()))?;
            let len = u32::from_le_bytes(*len) as usize;
            if len > MAX_BODY {
                return Err(BodyCodecError(format!("announcing {len} bytes")));
            }
            let mut body = vec![0; len];
            let got = lz4_flex::block::decompress_into(block, &mut body)
                .map_err(|e| BodyCodecError(e.to_string()))?;
            if got != len {
                return Err(BodyCodecError(format!("{got} bytes instead of {len}")));
            }
            Ok(Bytes::from(body))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Vec<u8> {
        let engines: Vec<String> = (0..70)
            .map(|i| format!(r#""Engine{i}":{{"category":"undetected","engine_name":"Engine{i}","engine_version":"1.{i}","result":null,"method":"blacklist","engine_update":"20261203"}}"#))
            .collect();
        format!(
            r#"{{"data":{{"attributes":{{"last_analysis_results":{{{}}}}}}}}}"#,
            engines.join(",")
        )
        .into_bytes()
    }

    #[test]
    fn a_report_is_kept_compressed_and_comes_back_byte_identical() {
        let body = report();
        let (codec, stored) = compress_body(&body);
        assert_eq!(codec, BodyCodec::Lz4);
        assert!(
            stored.len() * 3 < body.len(),
            "{} of {}",
            stored.len(),
            body.len()
        );
        assert_eq!(decompress_body(codec, &stored).unwrap(), body);
    }

    #[test]
    fn short_or_incompressible_bodies_are_kept_as_is() {
        let short = br#"{"error":{"code":"NotFoundError","message":"x"}}"#;
        assert_eq!(compress_body(short), (BodyCodec::Raw, short.to_vec()));
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let (codec, stored) = compress_body(&noise);
        assert_eq!(codec, BodyCodec::Raw);
        assert_eq!(decompress_body(codec, &stored).unwrap(), noise);
    }

    #[test]
    fn a_damaged_row_is_an_error_never_a_body() {
        let body = report();
        let (_, mut stored) = compress_body(&body);
        // A length past the bound, a truncated block, a length that does not match, a row
        // shorter than its length field, a codec number this version does not know.
        let mut huge = stored.clone();
        huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(
            decompress_body(BodyCodec::Lz4, &huge)
                .unwrap_err()
                .to_string()
                .contains("announcing")
        );
        assert!(decompress_body(BodyCodec::Lz4, &stored[..stored.len() / 2]).is_err());
        let len = u32::from_le_bytes(stored[..4].try_into().unwrap());
        stored[..4].copy_from_slice(&(len + 7).to_le_bytes());
        assert!(decompress_body(BodyCodec::Lz4, &stored).is_err());
        assert_eq!(BodyCodec::from_id(9), None);
        assert_eq!(
            BodyCodec::from_id(BodyCodec::Lz4.id()),
            Some(BodyCodec::Lz4)
        );
        assert!(decompress_body(BodyCodec::Lz4, &[1, 2]).is_err());
    }
}
