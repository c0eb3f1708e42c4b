/// The station's one style sheet, served at `/station.css` (the Content-Security-Policy allows
/// styles from the station itself only, so no inline styles anywhere). Large touch targets for
/// kiosks and phones; no JavaScript. Public so the admin console wears the same look.
public enum StationStyle {
    public static let css = """
    :root { --ink: #1b1f24; --muted: #5b6470; --line: #d5dbe1; --bg: #f4f6f8; --card: #fff;
            --brand: #0b5cad; --brand-ink: #fff; --danger: #b42318; --ok: #067647; --warn: #b54708; }
    * { box-sizing: border-box; }
    html { font-size: 112.5%; }
    body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
           color: var(--ink); background: var(--bg); line-height: 1.4; }
    header.bar { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; padding: .6rem 1rem;
                 background: var(--brand); color: var(--brand-ink); }
    header.bar .brand { font-weight: 700; font-size: 1.2rem; margin-right: auto; }
    header.bar a { color: var(--brand-ink); font-weight: 600; text-decoration: none; padding: .5rem .75rem;
                   border-radius: .5rem; }
    header.bar a[aria-current="page"] { background: rgba(255,255,255,.18); }
    header.bar .who { opacity: .9; }
    header.bar form { margin: 0; }
    main { max-width: 56rem; margin: 0 auto; padding: 1rem; }
    h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
    h2 { font-size: 1.2rem; margin: 1.5rem 0 .75rem; }
    p.hint { color: var(--muted); margin-top: -.5rem; }
    .notice { padding: .8rem 1rem; border-radius: .6rem; margin: 0 0 1rem; border: 2px solid; font-weight: 600; }
    .notice.error { border-color: var(--danger); color: var(--danger); background: #fef3f2; }
    .notice.success { border-color: var(--ok); color: var(--ok); background: #ecfdf3; }
    .notice.info { border-color: var(--brand); color: var(--brand); background: #eff8ff; }
    .card h2 { margin-top: 0; }
    .card { background: var(--card); border: 1px solid var(--line); border-radius: .8rem; padding: 1rem;
            margin: 0 0 1rem; }
    ul.jobs { list-style: none; padding: 0; margin: 0; }
    .job-title { font-size: 1.2rem; font-weight: 700; overflow-wrap: anywhere; margin-bottom: .4rem; }
    dl.facts { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; margin: 0 0 .75rem; }
    dl.facts div { display: flex; gap: .35rem; }
    dl.facts dt { color: var(--muted); }
    dl.facts dd { margin: 0; font-weight: 600; }
    dd.price { color: var(--brand); }
    .waiting-reason { color: var(--warn); margin: 0 0 .75rem; }
    label { display: block; font-weight: 600; margin: .5rem 0 .25rem; }
    input[type=text], input[type=password], input[type=tel], select {
        width: 100%; font-size: 1.1rem; padding: .7rem .8rem; border: 2px solid var(--line); border-radius: .6rem;
        background: #fff; color: var(--ink); min-height: 3.2rem; }
    input:focus, select:focus, button:focus { outline: 3px solid #84caff; outline-offset: 1px; }
    .buttons { display: flex; flex-wrap: wrap; gap: .75rem; margin-top: .75rem; }
    button { font: inherit; font-size: 1.15rem; font-weight: 700; min-height: 3.4rem; min-width: 9rem;
             padding: .7rem 1.4rem; border-radius: .7rem; border: 2px solid var(--brand); cursor: pointer;
             background: #fff; color: var(--brand); flex: 1 1 9rem; }
    button.primary { background: var(--brand); color: var(--brand-ink); }
    button.danger { border-color: var(--danger); color: var(--danger); }
    header.bar button { min-height: 2.6rem; min-width: 0; font-size: 1rem; padding: .4rem 1rem; flex: none;
                        background: transparent; color: var(--brand-ink); border-color: rgba(255,255,255,.7); }
    .or { text-align: center; color: var(--muted); font-weight: 600; margin: 1rem 0; }
    .signin { max-width: 30rem; margin: 0 auto; }
    table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line);
            border-radius: .6rem; overflow: hidden; }
    th, td { text-align: left; padding: .55rem .7rem; border-bottom: 1px solid var(--line); vertical-align: top; }
    th { background: #eef1f4; font-weight: 700; }
    td.num, th.num { text-align: right; white-space: nowrap; }
    tr.wallet td { font-weight: 700; }
    .table-wrap { overflow-x: auto; }
    .empty { color: var(--muted); font-size: 1.1rem; }
    footer { color: var(--muted); text-align: center; padding: 1.5rem 1rem; font-size: .9rem; }
    @media (max-width: 34rem) {
        html { font-size: 106%; }
        main { padding: .75rem; }
        button { flex-basis: 100%; }
        th, td { padding: .4rem .35rem; }
        table { font-size: .8rem; }
        td.num, th.num { white-space: normal; }
    }
    """
}
