use crate::error::RalioError;
use crate::model::ActivityList;
use crate::query::ListQuery;
use crate::transport::Request;

super::sub_client! {
    /// Catalogues.
    Reference
}

impl Reference {
    /// `GET /api/v1/reference/activities` (listActiveActivities). `language` is sent as
    /// `Accept-Language` (`es` returns Spanish names).
    pub async fn list_activities(
        &self,
        query: &ListQuery,
        language: Option<String>,
    ) -> Result<ActivityList, RalioError> {
        let request = Request::get(&["api", "v1", "reference", "activities"])
            .list_query(query)
            .accept_language(language);
        self.transport.call(request, &self.options).await
    }
}
