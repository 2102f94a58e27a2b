//! Identity-verification (IDV / KYC) sessions and their state machine (spec/NOTES.md D10).

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// How long a non-final session lives (spec/NOTES.md D10).
pub const IDV_SESSION_LIFETIME: Duration = Duration::days(7);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdvState {
    NotStarted,
    Started,
    Verified,
    Review,
    Rejected,
    Expired,
}

impl IdvState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "NOT_STARTED",
            Self::Started => "STARTED",
            Self::Verified => "VERIFIED",
            Self::Review => "REVIEW",
            Self::Rejected => "REJECTED",
            Self::Expired => "EXPIRED",
        }
    }

    /// A final session never changes again (and never expires).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Verified | Self::Rejected | Self::Expired)
    }

    /// The transitions the control API may request. `REVIEW` can still be decided either way;
    /// `EXPIRED` is only reached through the clock.
    pub fn can_become(self, next: Self) -> bool {
        use IdvState::*;
        matches!(
            (self, next),
            (NotStarted, Started)
                | (Started, Verified | Review | Rejected)
                | (Review, Verified | Rejected)
                | (NotStarted | Started | Review, Expired)
        )
    }
}

/// One entry of `GET .../state-history`.
#[derive(Debug, Clone)]
pub struct IdvTransition {
    pub id: i64,
    pub new_state: IdvState,
    pub at: DateTime<Utc>,
}

/// A reason a check refused the user.
#[derive(Debug, Clone)]
pub struct RefusedReason {
    pub id: i64,
    pub code: String,
    pub message: String,
    pub kind: String,
}

/// One verification check (`document-verification`, `face-matching`); `validated` is
/// `Validated` on the wire, otherwise `Refused`.
#[derive(Debug, Clone)]
pub struct IdvCheck {
    pub id: i64,
    pub kind: &'static str,
    pub validated: bool,
    pub refused_reasons: Vec<RefusedReason>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl IdvCheck {
    pub fn state_str(&self) -> &'static str {
        if self.validated {
            "Validated"
        } else {
            "Refused"
        }
    }
}

#[derive(Debug, Clone)]
pub struct IdvSession {
    pub id: Uuid,
    pub user_id: Uuid,
    pub state: IdvState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub history: Vec<IdvTransition>,
    pub checks: Vec<IdvCheck>,
    /// Why the session was sent to review or rejected (control API `reason`).
    pub reason: Option<String>,
}

impl IdvSession {
    /// Whether the clock has passed the expiry of a session that is not final yet.
    pub fn is_due_to_expire(&self, now: DateTime<Utc>) -> bool {
        !self.state.is_final() && now >= self.expires_at
    }
}
