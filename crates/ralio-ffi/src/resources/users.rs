use ralio_core::model::{
    BusinessUser, BusinessUserCreate, IndividualUser, IndividualUserCreate, PersonalUser,
    PersonalUserCreate,
};

super::ffi_sub_client! {
    /// Creating end users.
    Users
}

super::ffi_methods! {
    impl Users for gateway::users {
        fn create_individual / create_individual_blocking(
            body: IndividualUserCreate,
        ) -> IndividualUser
            = |inner| inner.create_individual(&body);
        fn create_personal / create_personal_blocking(body: PersonalUserCreate) -> PersonalUser
            = |inner| inner.create_personal(&body);
        fn create_business / create_business_blocking(body: BusinessUserCreate) -> BusinessUser
            = |inner| inner.create_business(&body);
    }
}
