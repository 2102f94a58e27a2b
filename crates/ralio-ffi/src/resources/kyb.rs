use ralio_core::ListQuery;
use ralio_core::model::{KybDocument, KybDocumentUpload, KybSession};

super::ffi_sub_client! {
    /// KYB sessions of business users and their documents.
    Kyb
}

super::ffi_methods! {
    impl Kyb for gateway::kyb {
        fn create_session / create_session_blocking(uid: String) -> KybSession
            = |inner| inner.create_session(&uid);
        fn list_sessions / list_sessions_blocking(uid: String, query: ListQuery) -> Vec<KybSession>
            = |inner| inner.list_sessions(&uid, &query);
        fn upload_document / upload_document_blocking(
            uid: String,
            session_id: String,
            upload: KybDocumentUpload,
        ) -> KybDocument
            = |inner| inner.upload_document(&uid, &session_id, upload);
        fn submit_session / submit_session_blocking(uid: String, session_id: String) -> KybSession
            = |inner| inner.submit_session(&uid, &session_id);
    }
}
