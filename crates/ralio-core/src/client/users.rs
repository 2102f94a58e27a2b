use crate::error::RalioError;
use crate::model::{
    BusinessUser, BusinessUserCreate, IndividualUser, IndividualUserCreate, PersonalUser,
    PersonalUserCreate,
};
use crate::transport::Request;

super::sub_client! {
    /// Creating end users.
    Users
}

impl Users {
    /// `POST /api/v1/account/individual-users` (createIndividualUser).
    pub async fn create_individual(
        &self,
        body: &IndividualUserCreate,
    ) -> Result<IndividualUser, RalioError> {
        let request = Request::post(&["api", "v1", "account", "individual-users"]).json(body)?;
        self.transport.call(request, &self.options).await
    }

    /// `POST /api/v1/account/personal-users` (createPersonalUser).
    pub async fn create_personal(
        &self,
        body: &PersonalUserCreate,
    ) -> Result<PersonalUser, RalioError> {
        let request = Request::post(&["api", "v1", "account", "personal-users"]).json(body)?;
        self.transport.call(request, &self.options).await
    }

    /// `POST /api/v1/account/business-user` (createBusinessUser).
    pub async fn create_business(
        &self,
        body: &BusinessUserCreate,
    ) -> Result<BusinessUser, RalioError> {
        let request = Request::post(&["api", "v1", "account", "business-user"]).json(body)?;
        self.transport.call(request, &self.options).await
    }
}
