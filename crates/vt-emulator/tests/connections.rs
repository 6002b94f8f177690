//! The emulator counts the TCP connections it accepts (`connections` of `/_emulator/stats`),
//! so benchmarks can say how many a client opened.

use std::io::{Read, Write};
use std::net::TcpStream;

use vt_emulator::Emulator;

fn get_over_new_connection(addr: std::net::SocketAddr) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET /_emulator/stats HTTP/1.0\r\nhost: x\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.0 200"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn accepted_connections_are_counted_and_reset() {
    let emu = Emulator::builder().small_dataset().start().await.unwrap();
    let addr = emu.addr();
    tokio::task::spawn_blocking(move || {
        for _ in 0..3 {
            get_over_new_connection(addr);
        }
    })
    .await
    .unwrap();
    assert_eq!(emu.stats().connections, 3);
    emu.reset_stats();
    assert_eq!(emu.stats().connections, 0);
    emu.shutdown().await;
}
