package handlers_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/icare-hr/icare/handlers"
)

// TestStoreInterfaceIsUsed keeps handlers.Store honest: every method it
// lists is called by some handler (through s.store), so the interface says
// what the handlers use. The compiler already refuses a call of a method it
// lacks.
func TestStoreInterfaceIsUsed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	called := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			// s.store.Method, whatever the receiver's name.
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if inner, ok := sel.X.(*ast.SelectorExpr); ok && inner.Sel.Name == "store" {
					called[sel.Sel.Name] = true
				}
			}
			return true
		})
	}
	var unused []string
	st := reflect.TypeFor[handlers.Store]()
	for i := range st.NumMethod() {
		if name := st.Method(i).Name; !called[name] {
			unused = append(unused, name)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("handlers.Store lists methods no handler calls: %v", unused)
	}
}
