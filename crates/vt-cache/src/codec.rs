//! How a body is kept in the store: LZ4-compressed when that saves space, else as is.
//!
//! A report is JSON with much repetition (one entry per engine, the same keys in each), so LZ4
//! keeps about a fifth of it, at a cost of a few microseconds per report each way. Writing a
//! fifth of the bytes is what matters: SQLite writes every body twice (into the write-ahead
//! log, then into the database at a checkpoint), and on a first run those writes compete with
//! the lookups for the same cores. The `codec` column says how each row's body is kept, so a
//! store upgraded from format 1 (bodies as is) reads its old rows unchanged.

use bytes::Bytes;

/// The body is kept as received.
pub(crate) const RAW: i64 = 0;
/// The body is an LZ4 block, its decompressed length first (4 bytes, little-endian).
pub(crate) const LZ4: i64 = 1;

/// Bodies shorter than this are kept as is (a not-found answer, a short error).
const MIN_COMPRESSED: usize = 512;
/// The largest body a stored length may announce; a larger one means a damaged row.
const MAX_BODY: usize = 1 << 30;

/// The bytes to store for `body`, and their codec: LZ4 when it keeps at most 90 % of it.
pub(crate) fn encode(body: &[u8]) -> (i64, Vec<u8>) {
    if body.len() >= MIN_COMPRESSED {
        let packed = lz4_flex::block::compress_prepend_size(body);
        if packed.len() <= body.len() / 10 * 9 {
            return (LZ4, packed);
        }
    }
    (RAW, body.to_vec())
}

/// The body kept as `stored` with `codec`; an error (never a wrong body) for a damaged row.
pub(crate) fn decode(codec: i64, stored: &[u8]) -> Result<Bytes, String> {
    match codec {
        RAW => Ok(Bytes::copy_from_slice(stored)),
        LZ4 => {
            let (len, block) = stored
                .split_first_chunk::<4>()
                .ok_or("a compressed body shorter than its length")?;
            let len = u32::from_le_bytes(*len) as usize;
            if len > MAX_BODY {
                return Err(format!("a compressed body announcing {len} bytes"));
            }
            let mut body = vec![0; len];
            let got = lz4_flex::block::decompress_into(block, &mut body)
                .map_err(|e| format!("a damaged compressed body: {e}"))?;
            if got != len {
                return Err(format!(
                    "a damaged compressed body: {got} bytes instead of {len}"
                ));
            }
            Ok(Bytes::from(body))
        }
        other => Err(format!("a body in an unknown codec {other}")),
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
        let (codec, stored) = encode(&body);
        assert_eq!(codec, LZ4);
        assert!(
            stored.len() * 3 < body.len(),
            "{} of {}",
            stored.len(),
            body.len()
        );
        assert_eq!(decode(codec, &stored).unwrap(), body);
    }

    #[test]
    fn short_or_incompressible_bodies_are_kept_as_is() {
        let short = br#"{"error":{"code":"NotFoundError","message":"x"}}"#;
        assert_eq!(encode(short), (RAW, short.to_vec()));
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let (codec, stored) = encode(&noise);
        assert_eq!(codec, RAW);
        assert_eq!(decode(codec, &stored).unwrap(), noise);
    }

    #[test]
    fn a_damaged_row_is_an_error_never_a_body() {
        let body = report();
        let (_, mut stored) = encode(&body);
        // A length past the bound, a truncated block, a length that does not match, a codec
        // this version does not know, a row shorter than its length field.
        let mut huge = stored.clone();
        huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(LZ4, &huge).unwrap_err().contains("announcing"));
        assert!(decode(LZ4, &stored[..stored.len() / 2]).is_err());
        let len = u32::from_le_bytes(stored[..4].try_into().unwrap());
        stored[..4].copy_from_slice(&(len + 7).to_le_bytes());
        assert!(decode(LZ4, &stored).is_err());
        assert!(decode(9, &stored).unwrap_err().contains("unknown codec 9"));
        assert!(decode(LZ4, &[1, 2]).is_err());
    }
}
