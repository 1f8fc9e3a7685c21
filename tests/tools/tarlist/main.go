// tarlist: the Go archive/tar view of one tar file, the oracle of
// tests/integration/test_differential.sh.  Standard library only.
//
//	tarlist FILE             one JSON line per header as tar.Reader.Next()
//	                         returns it, then {"error": ...} if Next failed
//	tarlist -consumers FILE  what each consumer binds, one JSON object:
//	  c_image_first: containers/image docker-archive (findTarComponent): the
//	                 first member whose path.Clean matches a wanted name
//	  extract_last:  containers/image oci-archive (untar, last wins) and the
//	                 containerd importer (blobs[path.Clean(name)], regular
//	                 files only, last wins)
//	  documents_first, documents_last: the content of index.json,
//	                 manifest.json, oci-layout and repositories in each view
package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
)

type member struct {
	Name     string `json:"name"`
	Clean    string `json:"clean"`
	CleanHex string `json:"clean_hex"` // the same bytes, exactly (JSON turns invalid UTF-8 into U+FFFD)
	Type     string `json:"type"`
	Size     int64  `json:"size"`
	Linkname string `json:"linkname"`
	Format   string `json:"format"`
	Sha256   string `json:"sha256,omitempty"`
	ReadErr  string `json:"read_error,omitempty"`
	content  []byte
}

// the small JSON documents whose content the consumers' views also carry
var documents = map[string]bool{"index.json": true, "manifest.json": true, "oci-layout": true, "repositories": true}

func isReg(t byte) bool { return t == tar.TypeReg || t == tar.TypeRegA }

func walk(f *os.File, each func(h *tar.Header, m *member)) error {
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		m := &member{Name: h.Name, Clean: path.Clean(h.Name), CleanHex: hex.EncodeToString([]byte(path.Clean(h.Name))), Type: string(h.Typeflag),
			Size: h.Size, Linkname: h.Linkname, Format: h.Format.String()}
		if isReg(h.Typeflag) {
			d := sha256.New()
			var w io.Writer = d
			var buf bytes.Buffer
			if documents[m.Clean] && h.Size <= 1<<20 {
				w = io.MultiWriter(d, &buf)
			}
			if _, err := io.Copy(w, tr); err != nil {
				m.ReadErr = err.Error()
			} else {
				m.Sha256 = hex.EncodeToString(d.Sum(nil))
				if documents[m.Clean] {
					m.content = buf.Bytes()
				}
			}
		}
		each(h, m)
		if m.ReadErr != "" {
			return fmt.Errorf("reading %q: %s", h.Name, m.ReadErr)
		}
	}
}

func main() {
	consumers := false
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "-consumers" {
		consumers, args = true, args[1:]
	}
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: tarlist [-consumers] FILE")
		os.Exit(2)
	}
	f, err := os.Open(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer f.Close()
	enc := json.NewEncoder(os.Stdout)
	if !consumers {
		err = walk(f, func(h *tar.Header, m *member) { enc.Encode(m) })
		if err != nil {
			enc.Encode(map[string]string{"error": err.Error()})
		}
		return
	}
	first := map[string]string{}
	last := map[string]string{}
	docFirst := map[string]string{}
	docLast := map[string]string{}
	counts := map[string]int{}
	err = walk(f, func(h *tar.Header, m *member) {
		counts[m.Clean]++
		val := m.Sha256
		switch h.Typeflag {
		case tar.TypeSymlink:
			val = "symlink:" + h.Linkname
		case tar.TypeLink:
			val = "link:" + h.Linkname
		case tar.TypeDir:
			val = "dir"
		}
		if _, seen := first[m.Clean]; !seen {
			first[m.Clean] = val
			if m.content != nil {
				docFirst[m.Clean] = string(m.content)
			}
		}
		if isReg(h.Typeflag) {
			last[m.Clean] = val
			if m.content != nil {
				docLast[m.Clean] = string(m.content)
			} else {
				delete(docLast, m.Clean)
			}
		}
	})
	dups := []string{}
	for k, n := range counts {
		if n > 1 {
			dups = append(dups, k)
		}
	}
	out := map[string]interface{}{"c_image_first": first, "extract_last": last, "duplicates": dups,
		"documents_first": docFirst, "documents_last": docLast}
	if err != nil {
		out["error"] = err.Error()
	}
	enc.Encode(out)
}
