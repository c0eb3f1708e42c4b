/// What the console adds to the station's style sheet (served together at `/admin/admin.css`):
/// a wider page for tables, field errors, inline forms, paging and the report chart.
enum AdminStyle {
    static let css = """

    /* admin console */
    main.admin { max-width: 72rem; }
    header.bar nav { display: flex; flex-wrap: wrap; gap: .1rem; }
    header.bar nav a { padding: .4rem .55rem; font-size: .95rem; }
    .field-error { color: var(--danger); font-weight: 600; margin: .25rem 0 .5rem; }
    input[aria-invalid=true], select[aria-invalid=true], textarea[aria-invalid=true] { border-color: var(--danger); }
    input[type=date], input[type=search], input[type=number], textarea {
        width: 100%; font-size: 1.05rem; padding: .6rem .7rem; border: 2px solid var(--line); border-radius: .6rem;
        background: #fff; color: var(--ink); font-family: inherit; }
    textarea { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .95rem; min-height: 24rem; }
    fieldset { border: 1px solid var(--line); border-radius: .6rem; margin: .75rem 0; padding: .5rem 1rem 1rem; }
    legend { font-weight: 700; padding: 0 .3rem; }
    label.inline { display: inline-flex; align-items: center; gap: .4rem; font-weight: 600; margin: .3rem 1.2rem .3rem 0; }
    .grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 0 1rem; }
    form.search { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin: 0 0 1rem; }
    form.search > div { flex: 1 1 12rem; }
    form.search button, form.inline button, a.button { min-height: 2.8rem; min-width: 0; flex: none; font-size: 1rem; padding: .45rem 1rem; }
    form.inline { display: inline; margin: 0; }
    a.button { display: inline-block; border: 2px solid var(--brand); border-radius: .7rem; color: var(--brand);
               font-weight: 700; text-decoration: none; }
    a.button.primary { background: var(--brand); color: var(--brand-ink); }
    .pager { display: flex; gap: 1rem; align-items: center; margin: .75rem 0; }
    .status-usable { color: var(--ok); font-weight: 600; }
    td.code { white-space: nowrap; }
    .status-other { color: var(--warn); font-weight: 600; }
    .chart { background: var(--card); border: 1px solid var(--line); border-radius: .6rem; padding: .5rem; margin: 0 0 1rem; }
    .chart svg { width: 100%; height: auto; }
    pre.error { white-space: pre-wrap; color: var(--danger); background: #fef3f2; padding: .75rem; border-radius: .5rem; }
    """
}
