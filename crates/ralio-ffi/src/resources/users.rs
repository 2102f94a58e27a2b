use ralio_core::model::{
    BusinessUser, BusinessUserCreate, IndividualUser, IndividualUserCreate, PersonalUser,
    PersonalUserCreate,
};

use crate::error::RalioFfiError;

super::ffi_sub_client! {
    /// Creating end users.
    Users
}

#[uniffi::export(async_runtime = "tokio")]
impl Users {
    pub async fn create_individual(
        &self,
        body: IndividualUserCreate,
    ) -> Result<IndividualUser, RalioFfiError> {
        Ok(self.inner.create_individual(&body).await?)
    }

    pub async fn create_personal(
        &self,
        body: PersonalUserCreate,
    ) -> Result<PersonalUser, RalioFfiError> {
        Ok(self.inner.create_personal(&body).await?)
    }

    pub async fn create_business(
        &self,
        body: BusinessUserCreate,
    ) -> Result<BusinessUser, RalioFfiError> {
        Ok(self.inner.create_business(&body).await?)
    }
}
