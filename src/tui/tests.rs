//! The switcher's unit tests, by area: hand-outs and the selection rule
//! (`handout`, `selection`), presets, the update step (`update`, with one file
//! per area) and the drawn screen as snapshots (`view`).

mod handout;
mod preset;
mod selection;
mod update;
mod view;
