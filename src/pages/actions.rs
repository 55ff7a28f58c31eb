use std::collections::HashMap;

use crate::components::shared::show::Show;
use chrono::Local;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use mosaic_domain::backlog::{self, ActionsQuery, OpenAction};
use mosaic_domain::{ActionKind, ActionStatus, Priority, Review, ReviewId, ReviewOp, Role};

use crate::components::shared::field::{SelectField, TextField, options};
use crate::components::shared::tracker_link::TrackerLink;
use crate::load::load;
use crate::repo::{self, RepoError};
use crate::settings::{self, SyncMode};
use crate::workspace::{self, Workspace};

/// How many of the server's actions one "Load more" brings.
const PAGE: u32 = 100;

/// What the list starts from: the server's first page, and this browser's reviews.
#[derive(Clone)]
struct Loaded {
    server: Vec<OpenAction>,
    next: Option<String>,
    /// The open actions of the reviews this browser holds, as their people see them.
    local: Vec<OpenAction>,
    /// The reviews this browser holds: their own copy replaces the server's.
    held: Vec<ReviewId>,
    /// The reviews whose actions this browser may change (it runs them).
    runs: Vec<ReviewId>,
}

/// Every open action in one list: those of every published finding on the server and those
/// of the reviews this browser holds, due date first (overdue ones flagged), filtered by team,
/// owner, priority and kind (kept in the address, so a list can be linked). The facilitator of
/// a review held here changes an action's status in place; it reaches the review and its
/// finding like a change made on the review's page.
#[component]
pub fn OpenActionsPage() -> impl IntoView {
    let mode = settings::mode();
    let query = use_query_map();
    let filters = Memo::new(move |_| query.with(|p| ActionsQuery::from_params(|k| p.get(k))));
    crate::title::page_title(|| "Open actions".into());
    let loaded = load(move || {
        let filters = filters.get();
        let mode = mode.get();
        async move { gather(&mode, &filters).await.map(|l| (filters, l)) }
    });
    view! {
        <h1>"Open actions"</h1>
        <p class="intro">
            "The follow-up work still open, across every published finding and the reviews "
            "in this browser: the earliest due first."
        </p>
        <ActionFilters filters/>
        {loaded.view("Loading the actions…", None, move |(filters, first)| {
            view! { <ActionList first filters mode=mode.get_untracked()/> }.into_any()
        })}
    }
}

async fn gather(mode: &SyncMode, filters: &ActionsQuery) -> Result<Loaded, RepoError> {
    let reviews: Vec<Review> = repo::all_reviews(mode).await?;
    let mut local = Vec::new();
    let mut held = Vec::new();
    let mut runs = Vec::new();
    for review in &reviews {
        held.push(review.id.clone());
        let credential = repo::credential(review.id.as_str()).await?;
        if credential.is_none_or(|c| c.role == Role::Facilitator) {
            runs.push(review.id.clone());
        }
        local.extend(backlog::of_review(review));
    }
    let (server, next) = match mode.api() {
        Some(api) => {
            let page = api
                .open_actions(&ActionsQuery {
                    limit: Some(PAGE),
                    ..filters.clone()
                })
                .await
                .map_err(RepoError::Api)?;
            (page.items, page.next)
        }
        None => (Vec::new(), None),
    };
    Ok(Loaded {
        server,
        next,
        local,
        held,
        runs,
    })
}

/// The filters, as a form whose "Show" puts them in the address.
#[component]
fn ActionFilters(filters: Memo<ActionsQuery>) -> impl IntoView {
    let navigate = use_navigate();
    let team = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let priority = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    // The form shows what the address says (a link opened, Back pressed).
    crate::effect::effect(move |_| {
        let f = filters.get();
        team.set(f.team.unwrap_or_default());
        owner.set(f.owner.unwrap_or_default());
        priority.set(f.priority.map(|p| p.key().to_owned()).unwrap_or_default());
        kind.set(f.kind.map(|k| k.key().to_owned()).unwrap_or_default());
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let query = ActionsQuery {
            team: Some(team.get_untracked()),
            owner: Some(owner.get_untracked()),
            priority: Priority::from_key(&priority.get_untracked()),
            kind: ActionKind::from_key(&kind.get_untracked()),
            cursor: None,
            limit: None,
        };
        let params = web_sys::UrlSearchParams::new().expect("URLSearchParams exists");
        for (key, value) in query.pairs() {
            params.append(key, &value);
        }
        let encoded: String = params.to_string().into();
        let to = if encoded.is_empty() {
            "/actions".to_owned()
        } else {
            format!("/actions?{encoded}")
        };
        navigate(&to, Default::default());
    };
    view! {
        <form class="card form action-filters" on:submit=submit role="search" aria-label="Filter the actions">
            <div class="field-row">
                <TextField id="filter-team" label="Team" value=team on_input=move |v| team.set(v)/>
                <TextField id="filter-owner" label="Owner" hint="A role, a name, or an owning team."
                    value=owner on_input=move |v| owner.set(v)/>
                <SelectField id="filter-priority" label="Priority" placeholder="Any"
                    options=options(Priority::ALL, Priority::key, Priority::label)
                    value=priority on_change=move |v| priority.set(v)/>
                <SelectField id="filter-kind" label="Kind" placeholder="Any"
                    options=options(ActionKind::ALL, ActionKind::key, ActionKind::label)
                    value=kind on_change=move |v| kind.set(v)/>
            </div>
            <div class="row-buttons">
                <button type="submit" class="primary">"Show"</button>
                <a href="/actions">"Clear filters"</a>
            </div>
        </form>
    }
}

/// The merged list, "Load more" for the server's next page, and the status controls.
#[component]
fn ActionList(first: Loaded, filters: ActionsQuery, mode: SyncMode) -> impl IntoView {
    let Loaded {
        server,
        next,
        local,
        held,
        runs,
    } = first;
    let server = RwSignal::new(server);
    let local = RwSignal::new(local);
    let next = RwSignal::new(next);
    let held = StoredValue::new(held);
    let runs = StoredValue::new(runs);
    let filters = StoredValue::new(filters);
    let mode = StoredValue::new(mode);
    let rows = Memo::new(move |_| {
        backlog::merge(
            server.get(),
            local.get(),
            &held.get_value(),
            &filters.get_value(),
        )
    });
    let announce = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let load_more = move |_| {
        let (Some(cursor), Some(api)) = (
            next.get_untracked(),
            mode.with_value(crate::settings::SyncMode::api),
        ) else {
            return;
        };
        loading.set(true);
        spawn_local(async move {
            let query = ActionsQuery {
                cursor: Some(cursor),
                limit: Some(PAGE),
                ..filters.get_value()
            };
            match api.open_actions(&query).await {
                Ok(page) => {
                    server.update(|s| s.extend(page.items));
                    next.set(page.next);
                }
                Err(e) => announce.set(Some(e.to_string())),
            }
            loading.set(false);
        });
    };
    // One workspace per review changed here, made on its first change and kept while the
    // page is open, so its changes are saved and sent in order like on the review's page.
    let owner = Owner::current().expect("a page renders under an owner");
    let editors = StoredValue::new_local(HashMap::<ReviewId, Workspace>::new());
    let change = Callback::new(
        move |(review_id, item, status): (ReviewId, OpenAction, ActionStatus)| {
            let owner = owner.clone();
            spawn_local(async move {
                let ws = match editors.with_value(|e| e.get(&review_id).copied()) {
                    Some(ws) => ws,
                    None => match open(&mode.get_value(), &review_id, &owner).await {
                        Ok(Some(ws)) => {
                            editors.update_value(|e| {
                                e.insert(review_id.clone(), ws);
                            });
                            ws
                        }
                        Ok(None) => {
                            announce.set(Some("This review is no longer in this browser.".into()));
                            return;
                        }
                        Err(e) => {
                            announce.set(Some(e.to_string()));
                            return;
                        }
                    },
                };
                let Some(action_id) = item.action.id.clone() else {
                    return;
                };
                match ws.apply(ReviewOp::SetActionStatus {
                    id: action_id,
                    status,
                }) {
                    Ok(()) => {
                        let review = ws.review.get_untracked();
                        local.update(|l| {
                            l.retain(|a| a.review_id != review_id);
                            l.extend(backlog::of_review(&review));
                        });
                        announce.set(Some(format!(
                            "“{}” is now {}.",
                            item.action.title,
                            mosaic_domain::lowercase(status.label())
                        )));
                    }
                    Err(e) => announce.set(Some(workspace::sentence(&e.to_string()))),
                }
            });
        },
    );
    let today = Local::now().date_naive();
    view! {
        <p class="result-count" role="status" data-testid="actions-status">{move || announce.get()}</p>
        <Show
            when=move || rows.with(|r| !r.is_empty())
            fallback=|| view! { <p class="empty">"No open actions match."</p> }
        >
            <ol class="action-list open-actions" data-testid="open-actions">
                <For
                    each=move || rows.get()
                    key=|a| (a.sort_key(), a.action.status, a.action.title.clone())
                    children=move |item| {
                        let can_change = runs.with_value(|r| r.contains(&item.review_id))
                            && held.with_value(|h| h.contains(&item.review_id));
                        view! { <OpenActionRow item today can_change change/> }
                    }
                />
            </ol>
        </Show>
        <Show when=move || next.with(Option::is_some)>
            <button type="button" on:click=load_more disabled=move || loading.get()>
                "Load more"
            </button>
        </Show>
    }
}

/// The workspace of review `id` as its page would open it, under a child of `owner`.
async fn open(
    mode: &SyncMode,
    id: &ReviewId,
    owner: &Owner,
) -> Result<Option<Workspace>, RepoError> {
    let Some(review) = repo::get_review(mode, id.as_str()).await? else {
        return Ok(None);
    };
    let accounts = workspace::load_accounts(&review).await?;
    let credential = repo::credential(id.as_str()).await?;
    let synced = match repo::sync_state(id.as_str()).await? {
        Some(state) if mode.server_url().is_some() => Some((state, mode.clone())),
        _ => None,
    };
    let child = owner.with(Owner::new);
    let ws = child.with(|| Workspace::provide(review, accounts, credential, synced));
    // The owner lives as long as the page's: dropping the handle does not dispose it.
    std::mem::forget(child);
    if let Some(sync) = ws.sync {
        sync.kick();
    }
    Ok(Some(ws))
}

/// One action of the list.
#[component]
fn OpenActionRow(
    item: OpenAction,
    today: chrono::NaiveDate,
    can_change: bool,
    change: Callback<(ReviewId, OpenAction, ActionStatus)>,
) -> impl IntoView {
    let a = item.action.clone();
    let overdue = item.is_overdue(today);
    let mut details = vec![a.kind.label().to_owned()];
    details.push(a.owner.clone().unwrap_or_else(|| "no owner yet".into()));
    if !a.assignee.is_empty() {
        details.push(format!("owned by {}", a.assignee));
    }
    details.push(
        a.due
            .map_or_else(|| "no due date".into(), |d| format!("due {d}")),
    );
    details.push(item.team.clone());
    let id = a.id.as_ref().map(ToString::to_string).unwrap_or_default();
    let status_id = format!("open-status-{}-{id}", item.review_id);
    let href = if can_change {
        format!("/reviews/{}", item.review_id)
    } else {
        format!("/feed/{}", item.review_id)
    };
    let tracker = a
        .tracker_url
        .clone()
        .map(|url| view! { <TrackerLink url/> });
    let title = a.title.clone();
    let control = if can_change {
        let item = StoredValue::new(item.clone());
        let on_change = move |ev| {
            if let Some(status) = ActionStatus::from_key(&event_target_value(&ev)) {
                let item = item.get_value();
                change.run((item.review_id.clone(), item, status));
            }
        };
        view! {
            <label for=status_id.clone()>{format!("Status of “{title}”")}</label>
            " "
            <select id=status_id on:change=on_change>
                {ActionStatus::ALL.into_iter().map(|s| view! {
                    <option value=s.key() selected=s == a.status>{s.label()}</option>
                }).collect_view()}
            </select>
        }
        .into_any()
    } else {
        view! { <span class=format!("status {}", a.status.key())>{a.status.label()}</span> }
            .into_any()
    };
    view! {
        <li class="action-item" class:overdue=overdue data-testid="open-action">
            <p class="action-head">
                <span class="priority">{a.priority.label()}</span>
                " " <strong>{a.title.clone()}</strong>
                {overdue.then(|| view! { " " <span class="overdue-flag">"Overdue"</span> })}
            </p>
            <p class="meta">
                {details.join(" · ")} " · from " <a href=href>{item.review_title.clone()}</a>
            </p>
            {tracker}
            <div class="action-controls">{control}</div>
        </li>
    }
}
