//! HTTP/2 keep-alive of one events-port connection: a PING every interval, and the connection
//! given up when the client has not answered within the timeout. A client that vanished
//! without closing its socket (its host gone, the network cut) would otherwise hold its
//! streams until TCP gives up retransmitting, many minutes later.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use h2::{Ping, PingPong};
use tokio::time::{Instant, Sleep};

use crate::config::KeepaliveSettings;

pub(super) struct Keepalive {
    /// `None` when pings are off (or the connection can no longer send them).
    ping_pong: Option<PingPong>,
    settings: KeepaliveSettings,
    /// The next ping is due (or, while `waiting`, the answer is overdue) when it fires.
    timer: Pin<Box<Sleep>>,
    waiting: bool,
}

impl Keepalive {
    /// `ping_pong` is the connection's (`h2::server::Connection::ping_pong`).
    pub(super) fn new(ping_pong: Option<PingPong>, settings: KeepaliveSettings) -> Self {
        let first = settings.interval.unwrap_or_default();
        Self {
            ping_pong: settings.interval.and(ping_pong),
            settings,
            timer: Box::pin(tokio::time::sleep(first)),
            waiting: false,
        }
    }

    /// Sends the pings that are due and reads their answers; `Ready` once a ping has gone
    /// unanswered for the timeout (the connection is dead). The caller must poll the
    /// connection after this in the same pass, which writes the ping and reads the answer.
    pub(super) fn poll_dead(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let (Some(ping_pong), Some(interval)) = (self.ping_pong.as_mut(), self.settings.interval)
        else {
            return Poll::Pending;
        };
        loop {
            if self.waiting {
                match ping_pong.poll_pong(cx) {
                    Poll::Ready(Ok(_)) => {
                        self.waiting = false;
                        self.timer.as_mut().reset(Instant::now() + interval);
                        continue;
                    }
                    // The connection failed: polling it reports why.
                    Poll::Ready(Err(_)) => {
                        self.ping_pong = None;
                        return Poll::Pending;
                    }
                    Poll::Pending => {}
                }
                return self.timer.as_mut().poll(cx);
            }
            if self.timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            if ping_pong.send_ping(Ping::opaque()).is_err() {
                self.ping_pong = None;
                return Poll::Pending;
            }
            self.waiting = true;
            self.timer
                .as_mut()
                .reset(Instant::now() + self.settings.timeout);
        }
    }
}
