use reqwest::Method;

use crate::error::RalioError;
use crate::model::{VirtualIban, VirtualIbanCreate, VirtualIbanUpdate};
use crate::transport::Request;

super::sub_client! {
    /// Virtual IBANs of an account.
    Vibans
}

fn path<'a>(uid: &'a str, aid: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut segments = vec![
        "api",
        "v1",
        "account",
        "users",
        uid,
        "accounts",
        aid,
        "virtual-ibans",
    ];
    segments.extend_from_slice(rest);
    segments
}

impl Vibans {
    /// `POST .../accounts/{aid}/virtual-ibans` (createViban).
    pub async fn create(
        &self,
        uid: &str,
        aid: &str,
        body: &VirtualIbanCreate,
    ) -> Result<VirtualIban, RalioError> {
        let request = Request::post(&path(uid, aid, &[])).json(body)?;
        self.transport.call(request, &self.options).await
    }

    /// `GET .../accounts/{aid}/virtual-ibans` (listVibans), bare array.
    pub async fn list(&self, uid: &str, aid: &str) -> Result<Vec<VirtualIban>, RalioError> {
        let request = Request::get(&path(uid, aid, &[]));
        self.transport.call(request, &self.options).await
    }

    /// `GET .../virtual-ibans/{vibanId}` (getViban).
    pub async fn get(
        &self,
        uid: &str,
        aid: &str,
        viban_id: &str,
    ) -> Result<VirtualIban, RalioError> {
        let request = Request::get(&path(uid, aid, &[viban_id]));
        self.transport.call(request, &self.options).await
    }

    /// `PUT .../virtual-ibans/{vibanId}` (updateVibanAlias).
    pub async fn update_alias(
        &self,
        uid: &str,
        aid: &str,
        viban_id: &str,
        body: &VirtualIbanUpdate,
    ) -> Result<VirtualIban, RalioError> {
        let request = Request::new(Method::PUT, &path(uid, aid, &[viban_id])).json(body)?;
        self.transport.call(request, &self.options).await
    }

    /// `POST .../virtual-ibans/{vibanId}/deactivate` (deactivateViban).
    pub async fn deactivate(
        &self,
        uid: &str,
        aid: &str,
        viban_id: &str,
    ) -> Result<VirtualIban, RalioError> {
        let request = Request::post(&path(uid, aid, &[viban_id, "deactivate"]));
        self.transport.call(request, &self.options).await
    }
}
