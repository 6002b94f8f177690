//! Small attribute shapes shared by several object types.

use crate::lossless::lossless_struct;

lossless_struct! {
    /// `total_votes`: community votes on a file, URL, domain or IP address.
    pub struct TotalVotes {
        /// Votes saying harmless.
        harmless: i64 = "harmless",
        /// Votes saying malicious.
        malicious: i64 = "malicious",
    }
}

lossless_struct! {
    /// `main_icon` of a file or `favicon` of a URL / domain: hashes of the image.
    pub struct IconHashes {
        /// MD5 of the raw image bytes.
        raw_md5: String = "raw_md5",
        /// Difference hash of the image.
        dhash: String = "dhash",
    }
}

lossless_struct! {
    /// One entry of `popularity_ranks`.
    pub struct PopularityRank {
        /// The rank in that list.
        rank: u64 = "rank",
        /// When the rank was taken.
        timestamp: crate::Timestamp = "timestamp",
    }
}
