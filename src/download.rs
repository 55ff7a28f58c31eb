//! Offering text to the person as a file download, from memory: no server round trip.

use wasm_bindgen::JsCast;

/// Starts a download of `contents` named `filename` with the given MIME type.
pub fn offer(filename: &str, mime: &str, contents: &str) -> Result<(), String> {
    // The browser's own words, never Debug formatting (the release build leaves that out).
    let fail = |e: wasm_bindgen::JsValue| {
        let why = e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| "the browser refused it".into());
        format!("The download could not start: {why}")
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(contents));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(fail)?.unchecked_into();
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    web_sys::Url::revoke_object_url(&url).map_err(fail)?;
    Ok(())
}

/// A file name for the review's downloads: its title in lowercase words joined by `-`.
pub fn file_stem(review: &mosaic_domain::Review) -> String {
    let words: Vec<String> = review
        .facts
        .title()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(mosaic_domain::lowercase)
        .collect();
    let stem = words.join("-");
    let stem: String = stem.chars().take(60).collect();
    if stem.is_empty() {
        format!("review-{}", review.id)
    } else {
        stem
    }
}
