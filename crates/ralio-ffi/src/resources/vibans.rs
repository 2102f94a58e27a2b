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
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.create(&uid, &aid, &body).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::vibans::create(conn, options, uid, aid, body).await
            }
        }
    }

    pub async fn list(&self, uid: String, aid: String) -> Result<Vec<VirtualIban>, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.list(&uid, &aid).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::vibans::list(conn, options, uid, aid).await
            }
        }
    }

    pub async fn get(
        &self,
        uid: String,
        aid: String,
        viban_id: String,
    ) -> Result<VirtualIban, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.get(&uid, &aid, &viban_id).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::vibans::get(conn, options, uid, aid, viban_id).await
            }
        }
    }

    pub async fn update_alias(
        &self,
        uid: String,
        aid: String,
        viban_id: String,
        body: VirtualIbanUpdate,
    ) -> Result<VirtualIban, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => {
                Ok(inner.update_alias(&uid, &aid, &viban_id, &body).await?)
            }
            super::Backend::Gateway { conn, options } => {
                crate::gateway::vibans::update_alias(conn, options, uid, aid, viban_id, body).await
            }
        }
    }

    pub async fn deactivate(
        &self,
        uid: String,
        aid: String,
        viban_id: String,
    ) -> Result<VirtualIban, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.deactivate(&uid, &aid, &viban_id).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::vibans::deactivate(conn, options, uid, aid, viban_id).await
            }
        }
    }
}
