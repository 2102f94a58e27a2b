//! List parameters: paging, sorting, filters and search (spec/NOTES.md D4, D5).

/// Comparison operator of a filter, rendered as the `_<op>` suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum FilterOp {
    Eq,
    Neq,
    Gt,
    Lt,
    Gte,
    Lte,
    /// Case-sensitive substring match (`%` wildcard).
    Like,
    /// Case-insensitive substring match.
    Ilike,
}

impl FilterOp {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "eq",
            Self::Neq => "neq",
            Self::Gt => "gt",
            Self::Lt => "lt",
            Self::Gte => "gte",
            Self::Lte => "lte",
            Self::Like => "like",
            Self::Ilike => "ilike",
        }
    }
}

/// One condition: `<field>_<op>=<value>`. Nested fields use a dot (`origin.amount`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Filter {
    pub field: String,
    pub op: FilterOp,
    pub value: String,
}

impl Filter {
    pub fn new(field: impl Into<String>, op: FilterOp, value: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            op,
            value: value.into(),
        }
    }
}

/// Parameters of a list call. Unset parts are not sent, so Ralio's defaults apply (page 1, 30
/// per page). Paging is ignored by Ralio on the bare-array lists (D4).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ListQuery {
    /// 1-based page.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub page: Option<u32>,
    /// 1..=100.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub page_size: Option<u32>,
    /// `field1,-field2` (`-` for descending).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub sort: Option<String>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub filters: Vec<Filter>,
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub search: Option<String>,
}

impl ListQuery {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    pub fn sort(mut self, sort: impl Into<String>) -> Self {
        self.sort = Some(sort.into());
        self
    }

    pub fn filter(
        mut self,
        field: impl Into<String>,
        op: FilterOp,
        value: impl Into<String>,
    ) -> Self {
        self.filters.push(Filter::new(field, op, value));
        self
    }

    pub fn search(mut self, search: impl Into<String>) -> Self {
        self.search = Some(search.into());
        self
    }

    /// The query-string pairs, in a stable order.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::with_capacity(4 + self.filters.len());
        if let Some(page) = self.page {
            pairs.push(("page".to_owned(), page.to_string()));
        }
        if let Some(page_size) = self.page_size {
            pairs.push(("pageSize".to_owned(), page_size.to_string()));
        }
        if let Some(sort) = &self.sort {
            pairs.push(("sort".to_owned(), sort.clone()));
        }
        for filter in &self.filters {
            pairs.push((
                format!("{}_{}", filter.field, filter.op.as_str()),
                filter.value.clone(),
            ));
        }
        if let Some(search) = &self.search {
            pairs.push(("search".to_owned(), search.clone()));
        }
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_paging_sort_filters_and_search() {
        let query = ListQuery::new()
            .page(2)
            .page_size(50)
            .sort("alias,-balance")
            .filter("state", FilterOp::Eq, "ACTIVE")
            .filter("origin.amount", FilterOp::Gte, "1000")
            .search("eur");
        let pairs = query.to_pairs();
        let rendered: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            rendered,
            vec![
                "page=2",
                "pageSize=50",
                "sort=alias,-balance",
                "state_eq=ACTIVE",
                "origin.amount_gte=1000",
                "search=eur"
            ]
        );
        assert!(ListQuery::new().to_pairs().is_empty());
    }
}
