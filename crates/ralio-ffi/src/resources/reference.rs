use ralio_core::ListQuery;
use ralio_core::model::ActivityList;

super::ffi_sub_client! {
    /// Reference data (the activity catalogue).
    Reference
}

super::ffi_methods! {
    impl Reference for gateway::reference {
        /// `language` is sent as `Accept-Language` (`es` returns Spanish names).
        fn list_activities / list_activities_blocking(
            query: ListQuery,
            language: Option<String>,
        ) -> ActivityList
            = |inner| inner.list_activities(&query, language);
    }
}
