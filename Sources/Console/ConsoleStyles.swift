/// The console's one stylesheet, served from /console/static/console.css (the policy allows
/// styles from the console only). System fonts, readable at 1280 px and on a phone, printable.
enum ConsoleStyles {
    static let css = """
        :root { --ink: #1d2530; --muted: #5b6675; --line: #d5dbe3; --accent: #0b5cad; --bad: #b3261e; --warn: #8a5a00; --ok: #1e7b34;
                --upload: #0b5cad; --download: #2e9e5b; --band: #eef2f7; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
        a { color: var(--accent); }
        a:focus, button:focus, input:focus, select:focus { outline: 3px solid #7fb0e6; outline-offset: 1px; }
        .skip { position: absolute; left: -999px; }
        .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 2; }
        header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 20px; padding: 10px 20px; border-bottom: 1px solid var(--line); }
        .brand { font-weight: 700; }
        header nav ul { display: flex; flex-wrap: wrap; gap: 4px 14px; list-style: none; margin: 0; padding: 0; }
        header nav a[aria-current="page"] { font-weight: 700; color: var(--ink); text-decoration: none; border-bottom: 2px solid var(--accent); }
        form.signout { margin-left: auto; display: flex; align-items: center; gap: 10px; }
        .who { color: var(--muted); font-size: 13px; }
        main { padding: 16px 20px 40px; max-width: 1400px; }
        h1 { font-size: 22px; margin: 4px 0 14px; }
        h2 { font-size: 17px; margin: 22px 0 8px; }
        .table-wrap { overflow-x: auto; }
        table { border-collapse: collapse; min-width: 100%; font-variant-numeric: tabular-nums; }
        th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
        td.num, th.num { text-align: right; }
        th a { color: var(--ink); text-decoration: none; }
        th a:hover, th a:focus { text-decoration: underline; }
        th[aria-sort] a::after { content: " \\25B2"; font-size: 10px; }
        th[aria-sort="descending"] a::after { content: " \\25BC"; }
        .cards { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 8px; }
        .card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; min-width: 180px; }
        .card .figure { font-size: 22px; font-weight: 600; }
        .card .label { color: var(--muted); font-size: 13px; }
        form.filters, form.inline { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: end; margin: 8px 0 14px; }
        form.filters label, form.inline label, form.stacked label { display: block; font-size: 13px; color: var(--muted); }
        form.stacked p { margin: 8px 0; }
        input, select, textarea, button { font: inherit; padding: 5px 8px; border: 1px solid #aab4c0; border-radius: 4px; }
        textarea { width: 100%; max-width: 720px; min-height: 200px; font-family: ui-monospace, monospace; font-size: 13px; }
        button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
        button.danger { background: var(--bad); border-color: var(--bad); }
        .error { color: var(--bad); font-weight: 600; }
        .notice { color: var(--ok); font-weight: 600; }
        .muted { color: var(--muted); }
        .state-over, .state-blocked, .state-failed { color: var(--bad); font-weight: 600; }
        .state-near, .state-throttled, .state-pending { color: var(--warn); font-weight: 600; }
        .state-ok, .state-acked { color: var(--ok); }
        svg.chart { max-width: 100%; height: auto; }
        svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
        .login { max-width: 360px; }
        .pager { display: flex; gap: 16px; margin: 12px 0; }
        code, .mono { font-family: ui-monospace, monospace; font-size: 13px; }
        @media (max-width: 700px) {
            main { padding: 10px; }
            form.signout { margin-left: 0; }
            th, td { padding: 4px 6px; }
        }
        @media print {
            header.top, form, .pager, .skip { display: none; }
            a { color: inherit; text-decoration: none; }
        }
        """
}
