use ralio_core::model::{VirtualIban, VirtualIbanCreate, VirtualIbanUpdate};

use crate::error::RalioFfiError;

super::ffi_sub_client! {
    /// Virtual IBANs of an account.
    Vibans
}

#[uniffi::export(async_runtime = "tokio")]
impl Vibans {
    pub async fn create(
        &self,
        uid: String,
        aid: String,
        body: VirtualIbanCreate,
    ) -> Result<VirtualIban, RalioFfiError> {
        Ok(self.inner.create(&uid, &aid, &body).await?)
    }

    pub async fn list(&self, uid: String, aid: String) -> Result<Vec<VirtualIban>, RalioFfiError> {
        Ok(self.inner.list(&uid, &aid).await?)
    }

    pub async fn get(
        &self,
        uid: String,
        aid: String,
        viban_id: String,
    ) -> Result<VirtualIban, RalioFfiError> {
        Ok(self.inner.get(&uid, &aid, &viban_id).await?)
    }

    pub async fn update_alias(
        &self,
        uid: String,
        aid: String,
        viban_id: String,
        body: VirtualIbanUpdate,
    ) -> Result<VirtualIban, RalioFfiError> {
        Ok(self
            .inner
            .update_alias(&uid, &aid, &viban_id, &body)
            .await?)
    }

    pub async fn deactivate(
        &self,
        uid: String,
        aid: String,
        viban_id: String,
    ) -> Result<VirtualIban, RalioFfiError> {
        Ok(self.inner.deactivate(&uid, &aid, &viban_id).await?)
    }
}
