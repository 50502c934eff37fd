package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/fake"
)

// Environment of the browser test: where its screenshot goes (CI sets
// it to its output folder), and the one way to run without Chromium.
const (
	envArtifacts   = "INVITATIONS_ARTIFACTS"
	envSkipBrowser = "INVITATIONS_SKIP_BROWSER"
)

// evilGroup is a Box group name that would run a script, and fetch from
// the network, were it not escaped.
const evilGroup = `<script>document.title="pwned"</script><img src="https://example.invalid/x.png" onerror="document.title='pwned'">Support`

// renamingBox rewrites the Box answers of h so that the demo group
// "Support" is named evilGroup: the fake offers no way to create a group.
func renamingBox(h http.Handler) http.Handler {
	name, _ := json.Marshal(evilGroup)
	old, repl := []byte(`"name":"Support"`), append([]byte(`"name":`), name...)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, fake.BoxPrefix) {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(bytes.ReplaceAll(rec.Body.Bytes(), old, repl))
	})
}

// chromium finds Debian's chromium, or fails (skips only with
// INVITATIONS_SKIP_BROWSER=1).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv(envSkipBrowser) == "1" {
		t.Skip("chromium is not installed and " + envSkipBrowser + "=1")
	}
	t.Fatal("the review page is tested in Chromium, which is not installed: apt-get install chromium (Debian), or set " + envSkipBrowser + "=1 to skip this test")
	return ""
}

// The review page: the audit as a person x vendor matrix in one file
// that fetches nothing, with a vendor's text escaped, tested in Chromium
// driven by chromedp: the DOM, the filters, and a screenshot for CI.
func TestReviewPageInABrowser(t *testing.T) {
	t.Parallel()
	browser := chromium(t)
	sh := newShell(t, nil)
	sh.withFakeHandler(renamingBox, fake.WithDemoData())
	sh.seedState("state.json")

	out := sh.run(0, "audit", "-o", "html", "-state", "state.json", "--portworx-tenant", fake.PortworxDemoTenantID)
	page := out.stdout
	assert.Equal(t, "Read: gitguardian, box, freestyle, bimdata, portworx.\n", lastLine(out.stderr))

	// One self-contained file: nothing to fetch, the vendor's text as
	// text, the only script the page's own (allowed by its hash).
	assert.True(t, strings.HasPrefix(page, "<!DOCTYPE html>"))
	assert.NotContains(t, page, evilGroup)
	assert.Contains(t, page, `&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;&lt;img src=&#34;https://example.invalid/x.png&#34;`)
	assert.Equal(t, 1, strings.Count(page, "<script"), "one script element")
	assert.Empty(t, regexp.MustCompile(`(?i)<(link|img|iframe|object|embed)\b|<[a-z][^>]*\s(src|href|action)\s*=`).FindAllString(page, -1), "the page refers to nothing outside itself")
	matches(t, page, `Generated <time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">`)
	assert.Contains(t, page, "by invitations (devel)")

	dir := t.TempDir()
	file := filepath.Join(dir, "review.html")
	require.NoError(t, os.WriteFile(file, []byte(page), 0o600))

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.WindowSize(1400, 1000))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to run as root with its sandbox
	}
	ctx, cancel := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancel()
	ctx, cancel = chromedp.NewContext(ctx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		require.NoError(t, chromedp.Do(ctx, steps...))
	}
	text := func(sel string) string { t.Helper(); return browse(t, ctx, chromedp.Text(sel)) }
	visible := func() int {
		t.Helper()
		return browse(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("tbody tr[data-person]:not([hidden])").length`))
	}

	do(chromedp.Navigate("file://"+file), chromedp.WaitReady("#shown"))
	// The script in the group's name did not run; its text is shown.
	assert.Regexp(t, `^default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-[A-Za-z0-9+/=]+'; base-uri 'none'; form-action 'none'$`,
		browse(t, ctx, chromedp.Evaluate[string](`document.querySelector("meta[http-equiv=Content-Security-Policy]").content`)))
	title := browse(t, ctx, chromedp.Title())
	assert.True(t, strings.HasPrefix(title, "Access review, "), title)
	assert.Equal(t, 1, browse(t, ctx, chromedp.Evaluate[int](`document.scripts.length`)))
	assert.Equal(t, "“"+evilGroup+"”", browse(t, ctx, chromedp.Evaluate[string](
		`Array.from(document.querySelectorAll("td[data-vendor=box] .name")).map(e => e.textContent).find(t => t.includes("script")) || ""`)))
	rows := browse(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("tbody tr[data-person]").length`))
	counts := text("#counts")
	assert.Regexp(t, `^\d+ people, \d+ grants on 5 vendors\.$`, counts)
	assert.True(t, strings.HasPrefix(counts, strconv.Itoa(rows)+" people, "), counts)
	assert.Regexp(t, `^Showing `+strconv.Itoa(rows)+` of `+strconv.Itoa(rows)+` people, \d+ grants\.$`, text("#shown"))
	assert.Equal(t, rows, visible())
	assert.Contains(t, text(".coverage"), "Box: read in full")

	// The text filter keeps the people whose row contains it.
	do(chromedp.SendKeys("#filter-text", "user011@"))
	assert.Equal(t, 1, visible())
	assert.Regexp(t, `^Showing 1 of `+strconv.Itoa(rows)+` people, \d+ grants\.$`, text("#shown"))
	assert.Equal(t, "user011@example.com", browse(t, ctx, chromedp.Evaluate[string](`document.querySelector("tbody tr[data-person]:not([hidden]) th").textContent`)))

	// The vendor filter hides Box's column, and the people who then have
	// nothing left to show: the group's name is only in Box's cells.
	setFilter := func(q string) {
		t.Helper()
		browse(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("filter-text").value = ""`))
		do(chromedp.SendKeys("#filter-text", q))
	}
	setFilter("pwned")
	members := visible()
	assert.Positive(t, members)
	do(chromedp.Click(`input[data-vendor-filter=box]`))
	assert.True(t, browse(t, ctx, chromedp.Evaluate[bool](`document.querySelector("thead th[data-vendor=box]").hidden`)))
	assert.Equal(t, 0, visible())
	assert.Equal(t, "Showing 0 of "+strconv.Itoa(rows)+" people, 0 grants.", text("#shown"))

	// Box back, the group's members, for the screenshot CI keeps.
	do(chromedp.Click(`input[data-vendor-filter=box]`))
	assert.Equal(t, members, visible())
	png := browse(t, ctx, chromedp.FullScreenshot(100)) // 100: PNG
	artifacts := os.Getenv(envArtifacts)
	if artifacts == "" {
		artifacts = t.TempDir()
	}
	require.NoError(t, os.MkdirAll(artifacts, 0o755))
	shot := filepath.Join(artifacts, "review-page.png")
	require.NoError(t, os.WriteFile(shot, png, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(artifacts, "review-page.html"), []byte(page), 0o644))
	t.Logf("screenshot: %s", shot)
}

// browse runs one chromedp action and returns its value.
func browse[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	require.NoError(t, err)
	return v
}
