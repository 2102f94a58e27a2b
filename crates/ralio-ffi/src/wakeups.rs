//! Completion queues: how an async FFI call tells a foreign event loop that it is done without
//! entering the foreign language on a Rust thread.
//!
//! uniffi's async protocol wakes the foreign side through a continuation callback that Rust
//! calls, often from a runtime worker. For Python that means taking the GIL on that worker and
//! running Python code only to hand the result to the event loop (`call_soon_threadsafe`,
//! a write to the loop's self-pipe). A foreign event loop can instead open a queue here, watch
//! its descriptor, and pass [`ralio_ffi_wake`] as the continuation callback with
//! `data = queue id << 32 | token`: a completion is then recorded in Rust and signalled by one
//! byte on a socket the loop already waits on, and the loop collects the records with
//! [`ralio_ffi_wakeups_take`] on its own thread.
//!
//! A completion that happens on the thread that opened the queue (the loop's thread, while it
//! polls a call) is recorded without signalling: that thread collects it right after its poll.
//! The descriptor belongs to the queue and is closed only by [`ralio_ffi_wakeups_close`]; a
//! completion for a closed or unknown queue is dropped, never written to a reused descriptor.
//!
//! These are plain C functions (not uniffi exports): the foreign side reaches them through the
//! same loaded library as the generated bindings.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};
use std::thread::ThreadId;

/// One event loop's queue: completions not yet collected, and the socket pair that signals them.
struct Queue {
    owner: ThreadId,
    /// The end the loop watches; drained by [`ralio_ffi_wakeups_take`].
    reader: UnixStream,
    writer: UnixStream,
    /// `token << 8 | poll code`, in completion order.
    pending: Vec<u64>,
    /// Whether a byte is (or may be) waiting on `reader` for the current `pending` records.
    signalled: bool,
}

#[derive(Default)]
struct Queues {
    next_id: u32,
    open: HashMap<u32, Queue>,
}

fn queues() -> MutexGuard<'static, Queues> {
    static QUEUES: LazyLock<Mutex<Queues>> = LazyLock::new(Mutex::default);
    // A panic cannot leave the map half-updated (every change is one insert, remove or push).
    QUEUES.lock().unwrap_or_else(PoisonError::into_inner)
}

fn open_queue() -> std::io::Result<(u32, i32)> {
    let (reader, writer) = UnixStream::pair()?;
    reader.set_nonblocking(true)?;
    writer.set_nonblocking(true)?;
    let fd = reader.as_raw_fd();
    let mut queues = queues();
    // Ids are not reused while open; 0 is never handed out, so `data = 0` matches no queue.
    let id = loop {
        queues.next_id = queues.next_id.wrapping_add(1);
        let id = queues.next_id;
        if id != 0 && !queues.open.contains_key(&id) {
            break id;
        }
    };
    queues.open.insert(
        id,
        Queue {
            owner: std::thread::current().id(),
            reader,
            writer,
            pending: Vec::new(),
            signalled: false,
        },
    );
    Ok((id, fd))
}

/// Opens a completion queue owned by the calling thread (the event loop's). Returns its id
/// (never 0) and stores the descriptor to watch for readability in `*fd`; returns 0 if no
/// socket pair could be made (the caller then keeps uniffi's own continuation).
///
/// # Safety
/// `fd` must be valid for one `i32` write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ralio_ffi_wakeups_open(fd: *mut i32) -> u32 {
    match open_queue() {
        Ok((id, raw)) => {
            // SAFETY: the caller passes a valid pointer (function contract).
            unsafe { fd.write(raw) };
            id
        }
        Err(_) => 0,
    }
}

/// The continuation callback to give uniffi's `rust_future_poll`: records `poll_code` for
/// `data = queue id << 32 | token` and, unless called on the queue's own thread, makes the
/// queue's descriptor readable. Never blocks on the foreign side and never enters it.
#[unsafe(no_mangle)]
pub extern "C" fn ralio_ffi_wake(data: u64, poll_code: i8) {
    let id = (data >> 32) as u32;
    let token = data & 0xFFFF_FFFF;
    let mut queues = queues();
    let Some(queue) = queues.open.get_mut(&id) else {
        return;
    };
    queue.pending.push(token << 8 | u64::from(poll_code as u8));
    if queue.signalled || std::thread::current().id() == queue.owner {
        return;
    }
    queue.signalled = true;
    // A full socket buffer (WouldBlock) still leaves it readable, which is all the signal is.
    let _ = (&queue.writer).write(&[1]);
}

/// Moves up to `capacity` collected completions (`token << 8 | poll code`, in order) into
/// `out` and returns how many; 0 if the queue is empty or unknown. Once the queue is empty its
/// descriptor is drained, so it becomes readable again only for a new completion.
///
/// # Safety
/// `out` must be valid for `capacity` `u64` writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ralio_ffi_wakeups_take(id: u32, out: *mut u64, capacity: usize) -> usize {
    let mut queues = queues();
    let Some(queue) = queues.open.get_mut(&id) else {
        return 0;
    };
    let count = queue.pending.len().min(capacity);
    // SAFETY: `out` holds `capacity` >= `count` slots (function contract), and the source is a
    // live Vec we own the lock of; the two cannot overlap.
    unsafe { std::ptr::copy_nonoverlapping(queue.pending.as_ptr(), out, count) };
    queue.pending.drain(..count);
    if queue.pending.is_empty() && queue.signalled {
        queue.signalled = false;
        drain(&queue.reader);
    }
    count
}

/// Closes a queue: its descriptor is closed and later completions for it are dropped. The
/// caller stops watching the descriptor first.
#[unsafe(no_mangle)]
pub extern "C" fn ralio_ffi_wakeups_close(id: u32) {
    let closed = queues().open.remove(&id);
    drop(closed);
}

/// Reads every signal byte waiting on `reader` (non-blocking).
fn drain(mut reader: &UnixStream) {
    let mut buffer = [0u8; 64];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => return,
            Ok(_) => continue,
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn open() -> (u32, UnixStream) {
        let mut fd = -1;
        // SAFETY: a valid pointer to a local.
        let id = unsafe { ralio_ffi_wakeups_open(&mut fd) };
        assert_ne!(id, 0);
        let queues = queues();
        let queue = &queues.open[&id];
        assert_eq!(queue.reader.as_raw_fd(), fd);
        (id, queue.reader.try_clone().unwrap())
    }

    fn take(id: u32, capacity: usize) -> Vec<u64> {
        let mut out = vec![0u64; capacity];
        // SAFETY: `out` holds `capacity` slots.
        let count = unsafe { ralio_ffi_wakeups_take(id, out.as_mut_ptr(), capacity) };
        out.truncate(count);
        out
    }

    /// Reads (and so consumes) every signal byte waiting on a duplicate of a queue's descriptor.
    fn signals(reader: &UnixStream) -> usize {
        reader.set_nonblocking(true).unwrap();
        let (mut count, mut buffer) = (0, [0u8; 16]);
        loop {
            match (&*reader).read(&mut buffer) {
                Ok(0) => return count,
                Ok(read) => count += read,
                Err(err) if err.kind() == ErrorKind::WouldBlock => return count,
                Err(err) => panic!("{err}"),
            }
        }
    }

    fn wake_from_another_thread(completions: Vec<(u64, i8)>) {
        std::thread::spawn(move || {
            for (data, code) in completions {
                ralio_ffi_wake(data, code);
            }
        })
        .join()
        .unwrap();
    }

    #[test]
    fn completions_on_other_threads_signal_once_and_are_taken_in_order() {
        let (id, reader) = open();
        let data = |token: u64| u64::from(id) << 32 | token;
        wake_from_another_thread(vec![(data(7), 0), (data(8), 1), (data(0xFFFF_FFFF), -1)]);
        assert_eq!(signals(&reader), 1, "one signal for three completions");
        assert_eq!(take(id, 2), vec![7 << 8, 8 << 8 | 1]);
        assert_eq!(take(id, 8), vec![0xFFFF_FFFF << 8 | 0xFF]);
        assert!(take(id, 8).is_empty());

        // Emptied, the queue signals the next completion again, and taking it drains the
        // signal, so the descriptor does not stay readable.
        wake_from_another_thread(vec![(data(9), 0)]);
        assert_eq!(take(id, 8), vec![9 << 8]);
        assert_eq!(signals(&reader), 0);
        ralio_ffi_wakeups_close(id);
    }

    #[test]
    fn a_completion_on_the_owning_thread_is_recorded_without_a_signal() {
        let (id, reader) = open();
        ralio_ffi_wake(u64::from(id) << 32 | 3, 0);
        assert_eq!(signals(&reader), 0);
        assert_eq!(take(id, 4), vec![3 << 8]);
        ralio_ffi_wakeups_close(id);
    }

    #[test]
    fn completions_for_closed_or_unknown_queues_are_dropped() {
        let (id, reader) = open();
        ralio_ffi_wakeups_close(id);
        wake_from_another_thread(vec![(u64::from(id) << 32 | 1, 0), (0, 0), (u64::MAX, 0)]);
        assert!(take(id, 4).is_empty());
        // Nothing was written after the close: the signalling end is closed, so the watched
        // end (held here through a duplicate) reads end-of-file, not a byte.
        reader.set_nonblocking(false).unwrap();
        reader
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        assert_eq!((&reader).read(&mut [0u8; 1]).unwrap(), 0);
    }
}
