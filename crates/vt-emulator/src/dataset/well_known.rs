//! What every generated dataset knows, whatever the seed: EICAR, a well-known domain and IP
//! address, and the fixed "now" of generated dates.

/// A domain that every generated dataset knows (the first generated domain), for docs and
/// demos; present whenever the dataset has at least one domain.
pub const WELL_KNOWN_DOMAIN: &str = "example.com";
/// An IP address that every generated dataset knows (the first generated IP), for docs and
/// demos; present whenever the dataset has at least one IP address.
pub const WELL_KNOWN_IP: &str = "8.8.8.8";
/// EICAR's SHA-256; the EICAR test file is always known.
pub const EICAR_SHA256: &str = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
/// EICAR's SHA-1.
pub const EICAR_SHA1: &str = "3395856ce81f2b7382dee72602f798b642f14140";
/// EICAR's MD5.
pub const EICAR_MD5: &str = "44d88612fea8a8f36de82e1278abb02f";
/// The 68 bytes of the EICAR test file.
pub const EICAR_BYTES: &[u8] =
    br"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/// Fixed "now" of the generated dataset, so it does not depend on the clock (2023-11-14).
pub(crate) const DATASET_EPOCH: u64 = 1_700_000_000;
