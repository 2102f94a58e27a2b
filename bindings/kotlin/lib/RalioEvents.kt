// The idiomatic Kotlin layer over the generated bindings: event subscriptions as a cold `Flow`.
// Ship this file with the generated `uniffi/ralio_ffi/ralio_ffi.kt` (see bindings/README.md).

package uniffi.ralio_ffi

import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.channels.trySendBlocking
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow

/**
 * The gateway's events as a cold [Flow]: each collection opens one subscription (gateway mode
 * only), and ending the collection (cancelling the coroutine, `take(n)`, an exception downstream)
 * cancels it, which ends the Rust stream task and closes the gRPC stream. A stream error ends the
 * flow with that [RalioFfiException].
 *
 * [onSubscribed] sees the handle once the subscription is open (tests use it to observe
 * [EventSubscription.isFinished]).
 */
fun RalioClient.events(
    options: EventSubscribeOptions = EventSubscribeOptions(),
    onSubscribed: (EventSubscription) -> Unit = {},
): Flow<RalioEvent> = callbackFlow {
    val subscription = subscribeEvents(options, object : EventListener {
        // Called on a Rust blocking thread, one event at a time: blocking here back-pressures
        // the stream instead of dropping events.
        override fun onEvent(event: RalioEvent) {
            trySendBlocking(event)
        }

        override fun onError(error: RalioFfiException) {
            close(error)
        }
    })
    onSubscribed(subscription)
    // Cancel only: the handle stays usable (isFinished, waitFinished) and is freed with its
    // last reference.
    awaitClose { subscription.cancel() }
}
