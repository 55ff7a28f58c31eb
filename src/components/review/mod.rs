//! The review workspace's panels, placed by phase and by who is acting in `pages/review.rs`:
//! setup, people and invites, the live room, submissions, the group review, actions and
//! publishing.

pub mod actions_panel;
pub mod actor_switcher;
pub mod answers_by_question;
pub mod conflicts_panel;
pub mod facilitator_access;
pub mod factors_panel;
pub mod group_review_panel;
pub mod guide_editor;
pub mod invite_panel;
pub mod participants_editor;
pub mod phase_guide;
pub mod phase_stepper;
pub mod publication_form;
pub mod publish_panel;
pub mod reference_editor;
pub mod reference_panel;
pub mod removed_notice;
pub mod resume_link;
pub mod review_export;
pub mod room_panel;
pub mod setup_panel;
pub mod submissions_panel;
pub mod themes_panel;
pub mod words;
