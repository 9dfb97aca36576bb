package handlers_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// TestOpenAPIDescribesTheAPI: the document validates with kin-openapi, and
// a response of each route (and the errors) matches its schema.
func TestOpenAPIDescribesTheAPI(t *testing.T) {
	a := newApp(t)
	closed := apiFixture(a)
	tok := makeToken(t, a.viewer("lead", "leader", "Support"), "check")
	base := "/api/v1/rounds/" + strconv.Itoa(int(closed.ID))
	support, billing := strconv.Itoa(int(a.teams["Support"].ID)), strconv.Itoa(int(a.teams["Billing"].ID))
	spec := validateAPI(t, a, tok, map[string]int{"/api/v1/rounds": 200, base + "/profiles": 200,
		base + "/profiles?g=org&g=team:" + support + "&g=perspective:manager": 200, base + "/teams": 200,
		"/api/v1/openapi.json": 200, "/api/v1/instrument": 200, base + "/profiles?g=team:" + billing: 403,
		base + "/profiles?g=bad": 400, "/api/v1/rounds/999/profiles": 404})
	// Every GET route under /api/ is in the document.
	for _, r := range a.e.Routes() {
		if r.Method != http.MethodGet || !strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		if spec.Paths.Find(regexp.MustCompile(`:(\w+)`).ReplaceAllString(r.Path, "{$1}")) == nil {
			t.Errorf("the document lacks %s", r.Path)
		}
	}
	for _, path := range []string{"/api/v1/rounds", "/api/v1/rounds/{id}/profiles", "/api/v1/rounds/{id}/teams"} {
		if spec.Paths.Find(path) == nil {
			t.Errorf("the document lacks %s", path)
		}
	}
}

// validateAPI loads the OpenAPI document, validates it with kin-openapi and
// checks the response to each target (sent with tok): its status as wanted,
// its body against the document's schema.
func validateAPI(t *testing.T, a *app, tok string, want map[string]int) *openapi3.T {
	t.Helper()
	rec := a.api("", "/api/v1/openapi.json")
	if rec.Code != http.StatusOK {
		t.Fatalf("openapi.json: %d", rec.Code)
	}
	ctx := context.Background()
	spec, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.Validate(ctx); err != nil {
		t.Fatalf("the OpenAPI document: %v", err)
	}
	// The document's server is relative ("/"): the test server's address
	// stands in for it when requests are matched to operations.
	spec.Servers = openapi3.Servers{{URL: "http://icare.test"}}
	router, err := legacy.NewRouter(spec)
	if err != nil {
		t.Fatal(err)
	}
	for target, status := range want {
		req := httptest.NewRequest(http.MethodGet, "http://icare.test"+target, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := a.serve(req)
		if rec.Code != status {
			t.Errorf("%s: status %d, want %d", target, rec.Code, status)
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s: no route in the document: %v", target, err)
		}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
			Status: rec.Code, Header: rec.Header(), Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
			Options: &openapi3filter.Options{IncludeResponseStatus: true},
		}
		if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
			t.Errorf("%s (%d): the response does not match the document: %v", target, rec.Code, err)
		}
	}
	return spec
}
