//! FNV-1a: a hash that is the same in every process and build (std's hasher is seeded per
//! process), for names and keys that processes share: templates, cache entries, run files.

pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x100_0000_01b3))
}
