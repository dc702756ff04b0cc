//! The TUI's MFA prompter: the engine's question becomes a modal in the UI loop,
//! and the typed code comes back over a oneshot channel.

use crate::domain::{MfaCode, MfaSerial};
use crate::session::{MfaError, MfaPrompter};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{mpsc, oneshot};

/// A question for the UI loop.
pub struct MfaQuestion {
    /// Pairs the answer with the question (several may wait at once).
    pub id: u64,
    /// The switcher request that asks; `None` for an organization sync.
    pub generation: Option<u64>,
    /// The device.
    pub serial: String,
    /// Where the answer goes; `None` means cancelled.
    pub reply: oneshot::Sender<Option<String>>,
}

/// Sends MFA questions to the UI loop.
#[derive(Clone)]
pub struct TuiPrompter {
    questions: mpsc::UnboundedSender<MfaQuestion>,
    next_id: Arc<AtomicU64>,
    generation: Option<u64>,
}

impl TuiPrompter {
    /// A prompter that asks through `questions`.
    pub fn new(questions: mpsc::UnboundedSender<MfaQuestion>) -> Self {
        Self {
            questions,
            next_id: Arc::new(AtomicU64::new(1)),
            generation: None,
        }
    }

    /// The same prompter for request `generation`: its questions say whose they
    /// are, so a question of a cancelled request is refused, not shown.
    pub fn for_request(&self, generation: u64) -> Self {
        Self {
            generation: Some(generation),
            ..self.clone()
        }
    }
}

impl MfaPrompter for TuiPrompter {
    async fn ask(&self, device: &MfaSerial) -> Result<MfaCode, MfaError> {
        let cancelled = || MfaError::Cancelled {
            serial: device.to_string(),
        };
        let (reply, answer) = oneshot::channel();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.questions
            .send(MfaQuestion {
                id,
                generation: self.generation,
                serial: device.to_string(),
                reply,
            })
            .map_err(|_| cancelled())?;
        match answer.await {
            Ok(Some(code)) => Ok(MfaCode::parse(&code)?),
            _ => Err(cancelled()),
        }
    }
}
