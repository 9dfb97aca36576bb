package scoring

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestInstrumentShape(t *testing.T) {
	in := V1()
	if in.Version != "icare-v1" {
		t.Errorf("Version: got %q want %q", in.Version, "icare-v1")
	}
	if in.Scale.Min != 1 || in.Scale.Max != 5 || len(in.Scale.Labels) != 5 {
		t.Errorf("Scale: got %+v want 1…5 with 5 labels", in.Scale)
	}
	if got, want := len(in.Dimensions), NumKeys; got != want {
		t.Fatalf("dimensions: got %d want %d", got, want)
	}
	seen := map[string]bool{}
	ids, slugs := KeyIDs(), KeySlugs()
	n := 0
	for k, d := range in.Dimensions {
		if d.ID != ids[k] || d.Slug != slugs[k] {
			t.Errorf("dimension %d: got id %q slug %q want %q %q", k, d.ID, d.Slug, ids[k], slugs[k])
		}
		if d.Name == "" || d.Description == "" || !strings.HasSuffix(d.Description, ".") {
			t.Errorf("dimension %s: got name %q description %q want both set, description one sentence", d.ID, d.Name, d.Description)
		}
		if got := len(d.Habits); got != 3 {
			t.Errorf("dimension %s habits: got %d want 3", d.ID, got)
		}
		if got := len(d.Items); got != ItemsPerKey {
			t.Errorf("dimension %s items: got %d want %d", d.ID, got, ItemsPerKey)
		}
		reversed := 0
		for j, it := range d.Items {
			want := d.ID + string(rune('1'+j))
			if it.ID != want {
				t.Errorf("item %d of %s: got id %q want %q", j, d.ID, it.ID, want)
			}
			if seen[it.ID] {
				t.Errorf("item id %q: got a duplicate want unique", it.ID)
			}
			seen[it.ID] = true
			if it.Text == "" || len(it.Text) > 100 {
				t.Errorf("item %s text: got %d chars want 1…100 (short enough for a phone)", it.ID, len(it.Text))
			}
			if it.Reverse {
				reversed++
				if j == 0 {
					t.Errorf("item %s: got the first item reverse-keyed want a later one", it.ID)
				}
			}
			i := k*ItemsPerKey + j
			if ItemID(i) != it.ID || ItemReverse(i) != it.Reverse || KeyOfItem(i) != k {
				t.Errorf("item index %d: got id %q reverse %v key %d want %q %v %d", i, ItemID(i), ItemReverse(i), KeyOfItem(i), it.ID, it.Reverse, k)
			}
			if got, ok := ItemIndex(it.ID); !ok || got != i {
				t.Errorf("ItemIndex(%q): got %d, %v want %d, true", it.ID, got, ok, i)
			}
			n++
		}
		if reversed != 1 {
			t.Errorf("dimension %s: got %d reverse-keyed items want exactly 1", d.ID, reversed)
		}
	}
	if n != NumItems || NumItems != 25 {
		t.Errorf("items: got %d (NumItems %d) want 25", n, NumItems)
	}
	if _, ok := ItemIndex("X1"); ok {
		t.Errorf("ItemIndex(X1): got ok want not found")
	}
	if got := ItemIDs(); len(got) != 25 || got[0] != "I1" || got[5] != "C1" || got[24] != "E5" {
		t.Errorf("ItemIDs: got %v want I1…E5", got)
	}
	if ItemID(-1) != "" || ItemID(25) != "" || ItemReverse(25) {
		t.Errorf("out-of-range item index: got a value want none")
	}
}

func TestInstrumentJSON(t *testing.T) {
	b, err := json.Marshal(V1())
	if err != nil {
		t.Fatal(err)
	}
	// Decode into generic maps and check the exact key sets of the instrument's JSON.
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }
	if got, want := keys(doc), []string{"dimensions", "scale", "version"}; !reflect.DeepEqual(got, want) {
		t.Errorf("top-level keys: got %v want %v", got, want)
	}
	scale := doc["scale"].(map[string]any)
	if got, want := keys(scale), []string{"labels", "max", "min"}; !reflect.DeepEqual(got, want) {
		t.Errorf("scale keys: got %v want %v", got, want)
	}
	if got := scale["labels"].([]any)[0]; got != "Strongly disagree" {
		t.Errorf("first label: got %v want Strongly disagree", got)
	}
	dims := doc["dimensions"].([]any)
	d0 := dims[0].(map[string]any)
	if got, want := keys(d0), []string{"description", "id", "items", "name"}; !reflect.DeepEqual(got, want) {
		t.Errorf("dimension keys: got %v want %v", got, want)
	}
	it0 := d0["items"].([]any)[0].(map[string]any)
	if got, want := keys(it0), []string{"id", "reverse", "text"}; !reflect.DeepEqual(got, want) {
		t.Errorf("item keys: got %v want %v", got, want)
	}
	if it0["id"] != "I1" || it0["reverse"] != false {
		t.Errorf("first item: got %v want id I1, reverse false", it0)
	}
}

func TestV1IsACopy(t *testing.T) {
	a := V1()
	a.Dimensions[0].Items[0].Text = "changed"
	a.Dimensions[0].Habits[0] = "changed"
	a.Scale.Labels[0] = "changed"
	b := V1()
	if b.Dimensions[0].Items[0].Text == "changed" || b.Dimensions[0].Habits[0] == "changed" || b.Scale.Labels[0] == "changed" {
		t.Errorf("V1 after changing an earlier copy: got the change want the original")
	}
	h := HabitsFor(0)
	h[0] = "changed"
	if HabitsFor(0)[0] == "changed" {
		t.Errorf("HabitsFor after changing its result: got the change want the original")
	}
	if HabitsFor(-1) != nil || HabitsFor(NumKeys) != nil {
		t.Errorf("HabitsFor out of range: got habits want nil")
	}
}

func TestKeyLookups(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"I", 0, true}, {"ideal", 0, true}, {"C", 1, true}, {"attentiveness", 2, true},
		{"R", 3, true}, {"empowerment", 4, true}, {"icare_index", 0, false}, {"i", 0, false},
	} {
		got, ok := KeyIndex(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("KeyIndex(%q): got %d, %v want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	if got := KeyNames(); got[0] != "Ideal Service" || got[4] != "Empowerment" {
		t.Errorf("KeyNames: got %v want Ideal Service … Empowerment", got)
	}
}

func TestPerspectives(t *testing.T) {
	want := []string{"frontline", "manager", "senior_leader", "unspecified"}
	if !reflect.DeepEqual(Perspectives, want) {
		t.Errorf("Perspectives: got %v want %v", Perspectives, want)
	}
	for _, p := range want {
		if !ValidPerspective(p) || PerspectiveLabel(p) == "" {
			t.Errorf("perspective %q: got invalid or unlabelled want valid with a label", p)
		}
	}
	for _, p := range []string{"", "Frontline", "ceo", "senior leader"} {
		if ValidPerspective(p) || PerspectiveLabel(p) != "" {
			t.Errorf("perspective %q: got valid want invalid", p)
		}
	}
}

func TestBandOf(t *testing.T) {
	for _, tc := range []struct {
		score float64
		want  Band
	}{
		{0, Emerging}, {49.99, Emerging}, {49.999999, Emerging},
		{50, Developing}, {69.99, Developing},
		{70, Strong}, {84.99, Strong},
		{85, Legendary}, {100, Legendary},
	} {
		if got := BandOf(tc.score); got != tc.want {
			t.Errorf("BandOf(%v): got %v want %v", tc.score, got, tc.want)
		}
	}
	for b, want := range []string{"Emerging", "Developing", "Strong", "Legendary"} {
		if got := Band(b).String(); got != want {
			t.Errorf("Band(%d).String(): got %q want %q", b, got, want)
		}
		if got := Band(b).Slug(); got != strings.ToLower(want) {
			t.Errorf("Band(%d).Slug(): got %q want %q", b, got, strings.ToLower(want))
		}
	}
}
