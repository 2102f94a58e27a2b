//! The gRPC services, one module per resource group (`users`, `accounts`, `payouts`, …).
//!
//! To add a group: write `services/<group>.rs` (the tonic service: scope check, conversion via
//! `crate::convert::<group>`, one upstream call, conversion back), declare it below, and add
//! its server to [`register`]. A service method looks like:
//!
//! ```ignore
//! async fn get_user(&self, request: Request<GetUserRequest>) -> Result<Response<GetUserResponse>, Status> {
//!     require_scope(&request, Scope::Read)?;
//!     let context = RequestContext::of(&request);
//!     let id = convert::users::user_id(&request.get_ref().user_id, "user_id")?;
//!     let user = self.ctx.upstream("users.get", &context,
//!         self.ctx.client.users().with_options(context.call_options()).get(&id)).await?;
//!     Ok(Response::new(convert::users::get_user_response(user)))
//! }
//! ```
//!
//! Creating and money-moving methods wrap the upstream call in [`ServiceContext::idempotent`]
//! (key from `request_context::idempotency_key`, method = the full RPC path).

pub mod accounts;
pub mod identity;
pub mod merchant;
pub mod orders;
pub mod payins;
pub mod payouts;
pub mod reference;
pub mod transactions;
pub mod transfers;
pub mod users;
pub mod vibans;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use ralio_core::{RalioClient, RalioError};
use tonic::Status;
use tonic::service::RoutesBuilder;
use tonic_types::StatusExt;

use crate::auth::Caller;
use crate::idempotency::{self, IdempotencyStore};
use crate::metrics::{Metrics, code_name};
use crate::request_context::RequestContext;
use crate::status;

/// What every service needs; cloned into each service at registration.
#[derive(Clone)]
pub struct ServiceContext {
    pub client: RalioClient,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub metrics: Metrics,
}

impl ServiceContext {
    /// Awaits one RalioPay call, records its latency under `operation` (a fixed name such as
    /// `payouts.create`, never an id) and maps its error to the caller's status.
    pub async fn upstream<T>(
        &self,
        operation: &str,
        context: &RequestContext,
        call: impl Future<Output = Result<T, RalioError>>,
    ) -> Result<T, Status> {
        let started = Instant::now();
        let result = call.await;
        match result {
            Ok(value) => {
                self.metrics
                    .observe_upstream(operation, "ok", started.elapsed());
                Ok(value)
            }
            Err(err) => {
                let status = status::from_ralio(&err, &context.request_id);
                self.metrics.observe_upstream(
                    operation,
                    code_name(status.code()),
                    started.elapsed(),
                );
                Err(status)
            }
        }
    }
}

impl ServiceContext {
    /// [`crate::idempotency::idempotent`] on this context's store, counting replays (answers
    /// given without running `call`) in the metrics.
    pub async fn idempotent<Req, Resp, F, Fut>(
        &self,
        caller: &Caller,
        key: Option<String>,
        method: &str,
        request: &Req,
        call: F,
    ) -> Result<Resp, Status>
    where
        Req: prost::Message,
        Resp: prost::Message + Default,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Resp, Status>>,
    {
        let keyed = key.is_some();
        let ran = AtomicBool::new(false);
        let result = idempotency::idempotent(
            self.idempotency.as_ref(),
            caller,
            key,
            method,
            request,
            || {
                ran.store(true, Ordering::Relaxed);
                call()
            },
        )
        .await;
        let refused = matches!(&result, Err(status)
            if status.get_details_error_info().is_some_and(|info| info.reason == status::reason::IDEMPOTENCY_KEY_REUSED));
        if keyed && !ran.load(Ordering::Relaxed) && !refused {
            self.metrics.idempotent_replayed();
        }
        result
    }
}

/// Adds every resource-group service to `routes`. Health and reflection are added by the
/// server itself.
pub fn register(routes: &mut RoutesBuilder, context: &ServiceContext) {
    // One line per group, e.g.:
    // routes.add_service(users::server(context.clone()));
    routes.add_service(users::server(context.clone()));
    routes.add_service(identity::server(context.clone()));
    routes.add_service(accounts::server(context.clone()));
    routes.add_service(merchant::server(context.clone()));
    routes.add_service(vibans::server(context.clone()));
    routes.add_service(reference::server(context.clone()));
    routes.add_service(payins::server(context.clone()));
    routes.add_service(transfers::server(context.clone()));
    routes.add_service(payouts::server(context.clone()));
    routes.add_service(orders::server(context.clone()));
    routes.add_service(transactions::server(context.clone()));
}
