//! The authenticated caller of a request, and the scope check services make.

use tonic::{Request, Status};

use super::scope::{Scope, Scopes};
use crate::status;

/// Who is calling: the name of the token they presented and its scopes. The auth layer puts it
/// into the request extensions; it never holds the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub id: String,
    pub scopes: Scopes,
}

/// The caller of `request` if it holds `scope`. Every service method calls this first.
///
/// No caller in the extensions means the auth layer did not run (a wiring bug): the request is
/// refused as `UNAUTHENTICATED` rather than served.
pub fn require_scope<T>(request: &Request<T>, scope: Scope) -> Result<Caller, Status> {
    let caller = request
        .extensions()
        .get::<Caller>()
        .ok_or_else(|| status::unauthenticated("missing or unknown bearer token"))?;
    if !caller.scopes.allows(scope) {
        return Err(status::missing_scope(scope));
    }
    Ok(caller.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic::Code;

    #[test]
    fn scope_present_absent_and_no_caller() {
        let mut request = Request::new(());
        assert_eq!(
            require_scope(&request, Scope::Read).unwrap_err().code(),
            Code::Unauthenticated
        );
        request.extensions_mut().insert(Caller {
            id: "svc".into(),
            scopes: Scopes::new([Scope::Read]),
        });
        assert_eq!(require_scope(&request, Scope::Read).unwrap().id, "svc");
        let denied = require_scope(&request, Scope::MoneyMove).unwrap_err();
        assert_eq!(denied.code(), Code::PermissionDenied);
        assert!(
            denied.message().contains("money:move"),
            "{}",
            denied.message()
        );
    }
}
