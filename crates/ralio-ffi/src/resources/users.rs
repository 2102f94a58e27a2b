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
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.create_individual(&body).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::users::create_individual(conn, options, body).await
            }
        }
    }

    pub async fn create_personal(
        &self,
        body: PersonalUserCreate,
    ) -> Result<PersonalUser, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.create_personal(&body).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::users::create_personal(conn, options, body).await
            }
        }
    }

    pub async fn create_business(
        &self,
        body: BusinessUserCreate,
    ) -> Result<BusinessUser, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.create_business(&body).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::users::create_business(conn, options, body).await
            }
        }
    }
}
