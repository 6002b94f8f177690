//! The names documents and demos rely on are in every generated dataset.

use vt_emulator::{EICAR_SHA256, Emulator, WELL_KNOWN_DOMAIN, WELL_KNOWN_IP};

#[tokio::test]
async fn example_com_8_8_8_8_and_eicar_are_always_known() {
    for seed in [1, 42, 7_777] {
        let emulator = Emulator::builder().seed(seed).start().await.unwrap();
        let dataset = emulator.dataset();
        assert!(
            dataset.domains().iter().any(|d| d == WELL_KNOWN_DOMAIN),
            "seed {seed}"
        );
        assert!(
            dataset.ip_addresses().iter().any(|i| i == WELL_KNOWN_IP),
            "seed {seed}"
        );
        assert_eq!(dataset.files()[0].sha256, EICAR_SHA256, "seed {seed}");
        emulator.shutdown().await;
    }
}
