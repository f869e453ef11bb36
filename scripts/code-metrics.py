#!/usr/bin/env python3
"""Size figures for a source folder (default Generator/): files, lines, the largest files, the
longest methods (a declaration line followed by a brace block, counted to its closing brace at
the same indentation; local functions and lambdas count inside their method), and the lines
wider than a limit. Used to report the architecture's shape before and after a change."""
import os, re, sys

root = sys.argv[1] if len(sys.argv) > 1 else "Generator"
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 140
decl = re.compile(r"^(\s*)(?:(?:public|private|internal|protected|static|override|virtual|abstract|sealed|async|partial|unsafe|new)\s+)+"
                  r"[\w<>\[\],.?() ]+?\s+(\w+)\s*(?:<[^>]*>)?\s*\(")
files, methods, wide = [], [], []
for dirpath, _, names in os.walk(root):
    if "/obj" in dirpath or "/bin" in dirpath: continue
    for n in names:
        if not n.endswith(".cs"): continue
        path = os.path.join(dirpath, n)
        lines = open(path, encoding="utf-8").read().split("\n")
        if lines and lines[-1] == "": lines.pop()
        files.append((len(lines), path))
        wide += [(len(l), f"{path}:{i + 1}") for i, l in enumerate(lines) if len(l) > limit]
        i = 0
        while i < len(lines):
            m = decl.match(lines[i])
            if m and not lines[i].rstrip().endswith(";") and not re.search(r"\b(record|class|struct|interface|enum)\b", lines[i]):
                indent = m.group(1)
                j = i
                while j < len(lines) and lines[j] != indent + "{" and not lines[j].rstrip().endswith("{") and "=>" not in lines[j]:
                    j += 1
                if j < len(lines) and "=>" in lines[j] and not lines[j].rstrip().endswith("{"):
                    k = j
                    while k < len(lines) and not lines[k].rstrip().endswith(";"): k += 1
                    methods.append((k - i + 1, f"{path}:{i + 1} {m.group(2)}"))
                    i = k + 1
                    continue
                k = j + 1
                while k < len(lines) and lines[k] != indent + "}": k += 1
                methods.append((k - i + 1, f"{path}:{i + 1} {m.group(2)}"))
            i += 1
files.sort(reverse=True); methods.sort(reverse=True); wide.sort(reverse=True)
print(f"{root}: {len(files)} files, {sum(f[0] for f in files)} lines, median file {sorted(f[0] for f in files)[len(files) // 2]} lines")
print("largest files: " + " · ".join(f"{os.path.relpath(p, root)} {n}" for n, p in files[:8]))
print(f"methods over 80 lines: {sum(1 for m in methods if m[0] > 80)}; longest: " +
      " · ".join(f"{d.split(' ')[1]} {n} ({os.path.relpath(d.split(' ')[0], root)})" for n, d in methods[:8]))
print(f"lines over {limit} characters: {len(wide)}" + (f"; widest {wide[0][0]} ({wide[0][1]})" if wide else ""))
