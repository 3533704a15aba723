package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandsCloseOverCopies: no Cmd body (a func literal returning a
// tea.Msg, made in a method) uses the method's receiver: a Cmd runs in
// another goroutine while Update goes on changing the model, so it closes
// over copied values.
func TestCommandsCloseOverCopies(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || len(fd.Recv.List[0].Names) == 0 || fd.Body == nil {
				continue
			}
			recv := fd.Recv.List[0].Names[0].Name
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				fl, ok := n.(*ast.FuncLit)
				if !ok {
					return true
				}
				if r := fl.Type.Results; r == nil || len(r.List) != 1 || !isMsg(r.List[0].Type) {
					return true
				}
				ast.Inspect(fl.Body, func(n ast.Node) bool {
					if id, ok := n.(*ast.Ident); ok && id.Name == recv {
						t.Errorf("%s: a Cmd of %s uses the model (%s)", fset.Position(id.Pos()), fd.Name.Name, recv)
					}
					return true
				})
				return false
			})
		}
	}
}

func isMsg(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Msg"
}
