//! Long lists rendered by what is on screen: an account of thousands of timeline entries, or the
//! merged timeline of every revealed account. Rows are rendered in blocks of [`BLOCK`]: the
//! blocks the screen shows (only these in the first frame, so it is painted sooner), one more on
//! each side from then on, and the focused row's block with its neighbours, so a row the person
//! is in is never taken from under them and Tab or Shift+Tab from the last rendered row reaches
//! the next one. The rows not rendered are stood in for by space of their estimated height
//! (padding before and after the list, a margin between two rendered stretches), so the scroll
//! bar stays true and the page does not jump.
//!
//! The arithmetic is plain Rust, tested natively; [`ListWindow`] is its shell in the page.

use std::collections::BTreeSet;
use std::ops::Range;

use std::time::Duration;

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::idle::when_idle;

/// Rows per block: the unit rendered or left out together, so scrolling adds and removes rows
/// a block at a time rather than one per scroll event.
pub const BLOCK: usize = 20;

/// The blocks of a list of `total` rows that the screen shows, with `reach` more on each side:
/// `top` is how far the list's top has scrolled above the top of the screen (negative while it
/// is below it), `height` the screen's height, and `pitch` one row's height with the gap after
/// it. A list wholly below or above the screen gets its nearest block.
pub fn blocks_on_screen(
    total: usize,
    pitch: f64,
    top: f64,
    height: f64,
    reach: usize,
) -> Range<usize> {
    let blocks = total.div_ceil(BLOCK);
    if blocks == 0 {
        return 0..0;
    }
    let pitch = pitch.max(1.0);
    let row = |y: f64| (y / pitch).max(0.0) as usize;
    let first = (row(top) / BLOCK).saturating_sub(reach).min(blocks - 1);
    let last = (row((top + height).max(0.0)) / BLOCK + reach).min(blocks - 1);
    first..last.max(first) + 1
}

/// The row spacing to set once `measured` where `current` is in use, if any (the other
/// arguments as [`blocks_on_screen`] takes them). Only a real difference counts: rows differ a
/// little (a line more here and there), and stretches measured in turn would otherwise rock the
/// page. On the first screen (`reach` 0) a new spacing lays the page out again before it is
/// painted, so it is set there only when it changes which blocks are on the screen; otherwise
/// the measurement once the screen is painted sets it.
pub fn pitch_to_set(
    total: usize,
    current: f64,
    measured: f64,
    top: f64,
    height: f64,
    reach: usize,
) -> Option<f64> {
    let differs = measured > 0.0 && (measured - current).abs() > current * 0.02;
    let now = reach > 0
        || blocks_on_screen(total, measured, top, height, reach)
            != blocks_on_screen(total, current, top, height, reach);
    (differs && now).then_some(measured)
}

/// The rows to render, as ordered ranges that neither touch nor overlap: the blocks
/// `on_screen` (or the last block, when the list became shorter than they say), and the block
/// of the `focus`ed row with its neighbours.
pub fn segments(total: usize, on_screen: Range<usize>, focus: Option<usize>) -> Vec<Range<usize>> {
    let blocks = total.div_ceil(BLOCK);
    let mut wanted = BTreeSet::new();
    if blocks > 0 {
        let start = on_screen.start.min(blocks - 1);
        wanted.extend(start..on_screen.end.clamp(start + 1, blocks));
    }
    if let Some(row) = focus.filter(|r| *r < total) {
        let b = row / BLOCK;
        wanted.extend((b.saturating_sub(1)..=b + 1).filter(|b| *b < blocks));
    }
    let mut out: Vec<Range<usize>> = Vec::new();
    for b in wanted {
        let rows = b * BLOCK..((b + 1) * BLOCK).min(total);
        match out.last_mut() {
            Some(last) if last.end == rows.start => last.end = rows.end,
            _ => out.push(rows),
        }
    }
    out
}

/// One rendered row: the item, its place in the whole list (from 0), and the space standing in
/// for the rows left out just before it (only the first row of a later stretch has any).
#[derive(Clone, Debug, PartialEq)]
pub struct Shown<T> {
    pub item: T,
    pub index: usize,
    pub gap_before: f64,
}

/// The rendered rows of `items`, with the space before each stretch after the first.
pub fn shown<T: Clone>(items: &[T], segments: &[Range<usize>], pitch: f64) -> Vec<Shown<T>> {
    let mut out = Vec::new();
    let mut previous_end = None;
    for segment in segments {
        let segment = segment.start.min(items.len())..segment.end.min(items.len());
        for index in segment.clone() {
            let gap_before = match previous_end {
                Some(end) if index == segment.start => (index - end) as f64 * pitch,
                _ => 0.0,
            };
            out.push(Shown {
                item: items[index].clone(),
                index,
                gap_before,
            });
        }
        if !segment.is_empty() {
            previous_end = Some(segment.end);
        }
    }
    out
}

/// The space before the first rendered row and after the last, standing in for the rows left
/// out there.
pub fn padding(total: usize, segments: &[Range<usize>], pitch: f64) -> (f64, f64) {
    match (segments.first(), segments.last()) {
        (Some(first), Some(last)) => (
            first.start as f64 * pitch,
            total.saturating_sub(last.end) as f64 * pitch,
        ),
        _ => (0.0, 0.0),
    }
}

/// A long list's window in the page: which rows to render, following the page's scrolling, the
/// screen's size and the focused row. The list is an `<ol>` whose direct children are the
/// rendered rows; its padding and the first row of each later stretch's margin are set from
/// [`ListWindow::padding`] and [`Shown::gap_before`].
#[derive(Clone, Copy)]
pub struct ListWindow {
    /// The rows to render ([`segments`]).
    pub segments: Memo<Vec<Range<usize>>>,
    /// One row's height with the gap after it, measured on the rendered rows.
    pub pitch: RwSignal<f64>,
    total: Signal<usize>,
    list: NodeRef<html::Ol>,
    screen: RwSignal<Range<usize>>,
    /// Whether a measurement is already waiting for the next frame.
    waiting: StoredValue<bool>,
    /// The blocks rendered on each side of the screen's ([`blocks_on_screen`]'s `reach`): none
    /// until the first screen of rows is painted, so it is painted sooner, then one.
    reach: StoredValue<usize>,
    /// Set while the rendered rows change (until the next task): the keyed list may then move
    /// the row holding the focus in the page, which takes the focus away from it.
    changing: StoredValue<bool>,
    /// The element in the list the keyboard is in, to give the focus back to after such a move.
    focused: StoredValue<Option<web_sys::HtmlElement>, LocalStorage>,
}

impl ListWindow {
    /// Follows `list`, of `total` rows, each about `estimate` pixels high with its gap until the
    /// rendered ones are measured; the row at `focus` (an index in the list) stays rendered.
    pub fn new(
        list: NodeRef<html::Ol>,
        total: Signal<usize>,
        focus: Signal<Option<usize>>,
        estimate: f64,
    ) -> Self {
        let screen = RwSignal::new(0..1);
        let changing = StoredValue::new(false);
        let segments = Memo::new(move |_| {
            changing.set_value(true);
            set_timeout(move || changing.set_value(false), Duration::ZERO);
            segments(total.get(), screen.get(), focus.get())
        });
        let window = Self {
            segments,
            pitch: RwSignal::new(estimate),
            total,
            list,
            screen,
            waiting: StoredValue::new(false),
            reach: StoredValue::new(0),
            changing,
            focused: StoredValue::new_local(None),
        };
        let on_scroll = window_event_listener(leptos::ev::scroll, move |_| window.measure_soon());
        let on_resize = window_event_listener(leptos::ev::resize, move |_| window.measure_soon());
        on_cleanup(move || {
            on_scroll.remove();
            on_resize.remove();
        });
        // Rows came or went: measure them, and what the screen now shows, once painted.
        crate::effect::effect(move |_| {
            segments.track();
            window.measure_soon();
        });
        window
    }

    /// The padding before and after the rendered rows ([`padding`]), for the list's style.
    pub fn padding(&self) -> (f64, f64) {
        let total = self.total.get();
        let pitch = self.pitch.get();
        self.segments.with(|s| padding(total, s, pitch))
    }

    /// Call on the list's `focusin`: remembers the element the keyboard is in.
    pub fn focus_in(&self, ev: &leptos::ev::FocusEvent) {
        let target = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
        self.focused.set_value(target);
    }

    /// Call on the list's `focusout`; returns true when the focus did not really leave. When the
    /// rows are re-rendered, the keyed list may move the focused row in the page, which browsers
    /// answer with a blur (with or without a `focusout`): the focus is then given back, without
    /// scrolling, once the rows are in place (see `restore_focus`).
    pub fn keep_focus(&self, ev: &leptos::ev::FocusEvent) -> bool {
        let rendering = ev.related_target().is_none() && self.changing.get_value();
        if !rendering {
            self.focused.set_value(None);
        }
        rendering
    }

    /// Gives the focus back to the element it was in before the rows were re-rendered, if a
    /// move in the page took it away and nothing else has it.
    fn restore_focus(self) {
        let Some(Some(target)) = self.focused.try_get_value() else {
            return;
        };
        let nothing_focused = document()
            .active_element()
            .is_none_or(|a| Some(a) == document().body().map(Into::into));
        if target.is_connected() && nothing_focused {
            let options = web_sys::FocusOptions::new();
            options.set_prevent_scroll(true);
            let _ = target.focus_with_options(&options);
        }
    }

    fn measure_soon(self) {
        if self.waiting.get_value() {
            return;
        }
        self.waiting.set_value(true);
        request_animation_frame(move || {
            // The list may be gone by the next frame (the person left the page): `try_set_value`
            // hands the value back then.
            if self.waiting.try_set_value(false).is_none() {
                self.restore_focus();
                self.measure();
            }
        });
    }

    fn measure(self) {
        let Some(list) = self.list.try_get_untracked().flatten() else {
            return;
        };
        let height = window()
            .inner_height()
            .ok()
            .and_then(|h| h.as_f64())
            .unwrap_or(800.0);
        let top = -list.get_bounding_client_rect().top();
        let reach = self.reach.get_value();
        let total = self.total.get_untracked();
        let first = self
            .segments
            .with_untracked(|s| s.first().map_or(0, |r| r.len()));
        let rows = list.children();
        if first >= 2 && rows.length() as usize >= first {
            let row_top = |i: usize| {
                rows.item(i as u32)
                    .map(|r| r.get_bounding_client_rect().top())
            };
            if let (Some(a), Some(b)) = (row_top(0), row_top(first - 1)) {
                let measured = (b - a) / (first - 1) as f64;
                let current = self.pitch.get_untracked();
                if let Some(pitch) = pitch_to_set(total, current, measured, top, height, reach) {
                    self.set_pitch(&list, pitch);
                }
            }
        }
        let on_screen = blocks_on_screen(total, self.pitch.get_untracked(), top, height, reach);
        if self.screen.with_untracked(|s| *s != on_screen) {
            self.screen.set(on_screen);
        }
        if reach == 0 {
            // Once this frame is painted, the blocks around the screen follow, ready for
            // scrolling and Tab. (Idle, not a task: a page's own "after paint" task queued later
            // in this frame would otherwise wait for them.)
            when_idle(move || {
                if self.reach.try_set_value(1).is_none() {
                    self.measure();
                }
            });
        }
    }
}

impl ListWindow {
    /// Sets the measured pitch, keeping the row the person is at where it is on the screen:
    /// the space standing in for the rows above it changes with the pitch, and the browser's
    /// own scroll anchoring stands aside when an ancestor's padding changes.
    fn set_pitch(self, list: &web_sys::HtmlOListElement, pitch: f64) {
        let anchor = anchor_row(list);
        let before = anchor.as_ref().map(|a| a.get_bounding_client_rect().top());
        self.pitch.set(pitch);
        let (Some(anchor), Some(before)) = (anchor, before) else {
            return;
        };
        // The new spacing is in the page by the next frame.
        request_animation_frame(move || {
            if anchor.is_connected() {
                let moved = anchor.get_bounding_client_rect().top() - before;
                if moved.abs() >= 1.0 {
                    window().scroll_by_with_x_and_y(0.0, moved);
                }
            }
        });
    }
}

/// The rendered row the person is at: the one holding the focus, else the first one reaching
/// into the screen.
fn anchor_row(list: &web_sys::HtmlOListElement) -> Option<web_sys::Element> {
    let rows = list.children();
    let focused = document()
        .active_element()
        .filter(|a| list.contains(Some(a)));
    (0..rows.length())
        .filter_map(|i| rows.item(i))
        .find(|row| match &focused {
            Some(a) => row.contains(Some(a)),
            None => row.get_bounding_client_rect().bottom() > 0.0,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_screen_shows_its_blocks_with_reach_more_on_each_side() {
        // 100 px rows, a 900 px screen (9 or 10 rows): (rows, top, what reach 0 renders, what
        // reach 1 renders). Reach 0 is the first frame, reach 1 every frame after it.
        let cases = [
            // At the top of the list: block 0, then the one after it.
            (10_000, 0.0, 0..1, 0..2),
            // Scrolled 50,000 px in: rows 500 to 509, in block 25.
            (10_000, 50_000.0, 25..26, 24..27),
            // A screen across two blocks gets both.
            (10_000, 51_500.0, 25..27, 24..28),
            // The list still below the screen: its first block, ready.
            (10_000, -2_000.0, 0..1, 0..2),
            // Scrolled past the list: its last block.
            (10_000, 5_000_000.0, 499..500, 499..500),
            (0, 0.0, 0..0, 0..0),
            (5, 0.0, 0..1, 0..1),
        ];
        for (total, top, first_frame, after) in cases {
            for (reach, expected) in [(0, first_frame), (1, after)] {
                assert_eq!(
                    blocks_on_screen(total, 100.0, top, 900.0, reach),
                    expected,
                    "{total} rows, top {top}, reach {reach}"
                );
            }
        }
        // A pitch not measured yet never divides by zero.
        assert_eq!(blocks_on_screen(100, 0.0, 0.0, 900.0, 1), 0..5);
    }

    #[test]
    fn a_new_row_spacing_waits_for_the_first_screen_to_be_painted_unless_it_moves_the_screen() {
        // 2,000 rows estimated 420 px apart and measured 490, a 900 px screen.
        let set = |top: f64, measured: f64, reach: usize| {
            pitch_to_set(2_000, 420.0, measured, top, 900.0, reach)
        };
        // Once the first screen is painted, a real difference is set at once.
        assert_eq!(set(0.0, 490.0, 1), Some(490.0));
        // A difference within 2 % never moves the spacing, nor does a measurement of nothing.
        assert_eq!(set(0.0, 425.0, 1), None);
        assert_eq!(set(0.0, 0.0, 1), None);
        // On the first screen at the top, block 0 either way: it waits.
        assert_eq!(set(0.0, 490.0, 0), None);
        // Deep in the list (row 238 at 420 px, row 204 at 490: blocks 11 and 10) it cannot.
        assert_eq!(set(100_000.0, 490.0, 0), Some(490.0));
    }

    /// The rows [`segments`] renders, as (first, end) pairs.
    fn check(
        total: usize,
        screen: Range<usize>,
        focus: Option<usize>,
        expected: &[(usize, usize)],
    ) {
        let found: Vec<(usize, usize)> = segments(total, screen.clone(), focus)
            .into_iter()
            .map(|r| (r.start, r.end))
            .collect();
        assert_eq!(
            found, expected,
            "{total} rows, screen {screen:?}, focus {focus:?}"
        );
    }

    #[test]
    fn the_focused_row_keeps_its_block_and_neighbours_rendered() {
        check(10_000, 0..2, None, &[(0, 40)]);
        // Focus in row 5,010 while the screen is at the top: two stretches.
        check(10_000, 0..2, Some(5_010), &[(0, 40), (4_980, 5_040)]);
        // Focus next to the screen's blocks: one stretch.
        check(10_000, 0..2, Some(45), &[(0, 80)]);
        // Focus in the first block: no block before it.
        check(10_000, 5..7, Some(3), &[(0, 40), (100, 140)]);
        // The last block is short; a focus past the end is ignored.
        check(45, 1..3, Some(44), &[(20, 45)]);
        check(45, 0..1, Some(99), &[(0, 20)]);
        // A screen measured on a longer list shows the last block of the shorter one.
        check(45, 40..42, None, &[(40, 45)]);
        check(0, 0..0, Some(0), &[]);
    }

    #[test]
    fn rows_left_out_become_space_of_their_height() {
        let items: Vec<usize> = (0..200).collect();
        let segs = [20..40, 100..120];
        let rows = shown(&items, &segs, 10.0);
        assert_eq!(rows.len(), 40);
        assert_eq!(
            (rows[0].item, rows[0].index, rows[0].gap_before),
            (20, 20, 0.0)
        );
        assert_eq!(rows[19].gap_before, 0.0);
        assert_eq!((rows[20].index, rows[20].gap_before), (100, 600.0));
        assert_eq!(padding(200, &segs, 10.0), (200.0, 800.0));
        assert_eq!(padding(200, &[], 10.0), (0.0, 0.0));
        // Segments longer than the items (the list just shrank) are cut to it.
        assert_eq!(shown(&items[..30], &segs, 10.0).len(), 10);
    }

    #[test]
    fn rendered_and_left_out_rows_add_up_to_the_whole_list() {
        for total in [0_usize, 1, 19, 20, 21, 399, 10_000] {
            for screen in [0..1, 0..3, 7..9] {
                for focus in [
                    None,
                    Some(0),
                    Some(total / 2),
                    Some(total.saturating_sub(1)),
                ] {
                    let segs = segments(total, screen.clone(), focus);
                    let rendered: usize = segs.iter().map(|r| r.len()).sum();
                    let rows = shown(&(0..total).collect::<Vec<_>>(), &segs, 1.0);
                    let gaps: f64 = rows.iter().map(|r| r.gap_before).sum();
                    let (top, bottom) = padding(total, &segs, 1.0);
                    assert_eq!(rows.len(), rendered);
                    assert_eq!(rendered as f64 + gaps + top + bottom, total as f64);
                    if let Some(f) = focus.filter(|f| *f < total) {
                        assert!(rows.iter().any(|r| r.index == f), "focused row {f} kept");
                    }
                }
            }
        }
    }
}
