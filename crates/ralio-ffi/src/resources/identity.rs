use ralio_core::ListQuery;
use ralio_core::model::{IdvSession, IdvSessionChecks, IdvSessionList, IdvSessionStateHistory};

super::ffi_sub_client! {
    /// Identity verification (IDV / KYC) sessions.
    Identity
}

super::ffi_methods! {
    impl Identity for gateway::identity {
        fn create_session / create_session_blocking(uid: String) -> IdvSession
            = |inner| inner.create_session(&uid);
        fn list_sessions / list_sessions_blocking(uid: String, query: ListQuery) -> IdvSessionList
            = |inner| inner.list_sessions(&uid, &query);
        fn session_checks / session_checks_blocking(
            uid: String,
            session_id: String,
        ) -> IdvSessionChecks
            = |inner| inner.session_checks(&uid, &session_id);
        fn session_state_history / session_state_history_blocking(
            uid: String,
            session_id: String,
        ) -> IdvSessionStateHistory
            = |inner| inner.session_state_history(&uid, &session_id);
    }
}
