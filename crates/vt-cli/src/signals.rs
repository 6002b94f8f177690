//! Ctrl-C and SIGTERM: both stop a batch cleanly (the array closed, results kept, the resume
//! hint printed); the exit code says which (130 or 143).

use crate::exit::Exit;

/// Resolves when the process is asked to stop: Ctrl-C (SIGINT) gives [`Exit::Interrupted`],
/// SIGTERM [`Exit::Terminated`]. A signal that cannot be watched never resolves (the default
/// action then applies to it).
pub async fn stop_requested() -> Exit {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        Exit::Interrupted
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let terminate = async {
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    term.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
            Exit::Terminated
        };
        tokio::select! {
            exit = interrupt => exit,
            exit = terminate => exit,
        }
    }
    #[cfg(not(unix))]
    interrupt.await
}

/// The word for the stop in messages.
pub fn stop_word(exit: Exit) -> &'static str {
    match exit {
        Exit::Terminated => "terminated (SIGTERM)",
        _ => "interrupted",
    }
}
