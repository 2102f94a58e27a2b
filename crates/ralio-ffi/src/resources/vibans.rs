use ralio_core::model::{VirtualIban, VirtualIbanCreate, VirtualIbanUpdate};

super::ffi_sub_client! {
    /// Virtual IBANs of an account.
    Vibans
}

super::ffi_methods! {
    impl Vibans for gateway::vibans {
        fn create / create_blocking(
            uid: String,
            aid: String,
            body: VirtualIbanCreate,
        ) -> VirtualIban
            = |inner| inner.create(&uid, &aid, &body);
        fn list / list_blocking(uid: String, aid: String) -> Vec<VirtualIban>
            = |inner| inner.list(&uid, &aid);
        fn get / get_blocking(uid: String, aid: String, viban_id: String) -> VirtualIban
            = |inner| inner.get(&uid, &aid, &viban_id);
        fn update_alias / update_alias_blocking(
            uid: String,
            aid: String,
            viban_id: String,
            body: VirtualIbanUpdate,
        ) -> VirtualIban
            = |inner| inner.update_alias(&uid, &aid, &viban_id, &body);
        fn deactivate / deactivate_blocking(
            uid: String,
            aid: String,
            viban_id: String,
        ) -> VirtualIban
            = |inner| inner.deactivate(&uid, &aid, &viban_id);
    }
}
