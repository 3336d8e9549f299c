import { Command } from 'commander';

/** One command of the tree as completion needs it: its subcommands and its flags. */
export interface CompletionNode {
  /** Space-separated path below the program, '' for the program itself. */
  path: string;
  subcommands: Array<{ name: string; description: string }>;
  flags: Array<{ flag: string; description: string; takesValue: boolean; choices?: readonly string[] }>;
}

/**
 * Walks the commander tree: every command's subcommands and flags (long and short, --help
 * included), which flags take a value and their choices. The scripts are generated from this, so a
 * new command or option completes without touching this file.
 */
export function completionTree(program: Command): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const visit = (cmd: Command, path: string) => {
    const subs = cmd.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
    const flags: CompletionNode['flags'] = [];
    for (const o of cmd.options) {
      if (o.hidden) continue;
      const takesValue = o.required || o.optional;
      for (const f of [o.long, o.short]) if (f) flags.push({ flag: f, description: o.description, takesValue, choices: o.argChoices });
    }
    flags.push({ flag: '--help', description: 'display help', takesValue: false });
    if (path === '' && cmd.version()) flags.push({ flag: '--version', description: 'print the version', takesValue: false });
    nodes.push({ path, subcommands: subs.map((s) => ({ name: s.name(), description: s.description() })), flags });
    for (const s of subs) visit(s, path ? `${path} ${s.name()}` : s.name());
  };
  visit(program, '');
  return nodes;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A bash completion function. It finds the command path by walking the words typed so far (a word
 * is a step down when it names a subcommand of where we are; the value after a flag that takes
 * one is skipped), then offers the subcommands, the flags, or a flag's choices.
 */
export function bashCompletion(program: Command): string {
  const name = program.name();
  const fn = `_${name.replace(/[^A-Za-z0-9_]/g, '_')}_complete`;
  const nodes = completionTree(program);
  const cases = (body: (n: CompletionNode) => string) => nodes.map((n) => `    ${quote(n.path)}) ${body(n)} ;;`).join('\n');
  const choiceCases = nodes
    .flatMap((n) => n.flags.filter((f) => f.choices?.length).map((f) => `    ${quote(`${n.path}:${f.flag}`)}) COMPREPLY=($(compgen -W ${quote(f.choices!.join(' '))} -- "$cur")); return ;;`))
    .join('\n');
  return `# ${name} bash completion, generated from the command tree by \`${name} completion bash\`.
# Install: ${name} completion bash > ~/.local/share/bash-completion/completions/${name}
#     or:  echo 'source <(${name} completion bash)' >> ~/.bashrc
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmdpath="" subs="" flags="" valued="" i w skip=0
  [ "$COMP_CWORD" -gt 0 ] && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    case "$cmdpath" in
${cases((n) => `valued=${quote(n.flags.filter((f) => f.takesValue).map((f) => f.flag).join(' '))}; subs=${quote(n.subcommands.map((s) => s.name).join(' '))}`)}
    esac
    case "$w" in
      -*) case " $valued " in *" $w "*) skip=1 ;; esac; continue ;;
    esac
    case " $subs " in *" $w "*) cmdpath="\${cmdpath:+$cmdpath }$w" ;; esac
  done
  case "$cmdpath:$prev" in
${choiceCases}
  esac
  case "$cmdpath" in
${cases((n) => `subs=${quote(n.subcommands.map((s) => s.name).join(' '))}; flags=${quote(n.flags.map((f) => f.flag).join(' '))}; valued=${quote(n.flags.filter((f) => f.takesValue).map((f) => f.flag).join(' '))}`)}
  esac
  # A flag that takes a free value (a name, a file): let bash complete file names.
  case " $valued " in *" $prev "*) COMPREPLY=($(compgen -f -- "$cur")); return ;; esac
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$flags" -- "$cur")); else COMPREPLY=($(compgen -W "$subs" -- "$cur")); fi
}
complete -o default -F ${fn} ${name}
`;
}

/** A zsh completion function (compdef), from the same tree, with each item's description. */
export function zshCompletion(program: Command): string {
  const name = program.name();
  const fn = `_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const nodes = completionTree(program);
  // _describe items are name:description; a colon inside the name is escaped.
  const zq = (item: string, description: string) => quote(`${item.replace(/:/g, '\\:')}:${description}`);
  const cases = (body: (n: CompletionNode) => string) => nodes.map((n) => `    ${quote(n.path)}) ${body(n)} ;;`).join('\n');
  const choiceCases = nodes
    .flatMap((n) => n.flags.filter((f) => f.choices?.length).map((f) => `    ${quote(`${n.path}:${f.flag}`)}) compadd -- ${f.choices!.map(quote).join(' ')}; return ;;`))
    .join('\n');
  return `#compdef ${name}
# ${name} zsh completion, generated from the command tree by \`${name} completion zsh\`.
# Install: ${name} completion zsh > "\${fpath[1]}/_${name}"   (then start a new shell)
#     or:  echo 'source <(${name} completion zsh)' >> ~/.zshrc   (after compinit)
${fn}() {
  local cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}" cmdpath="" w i skip=0
  local -a subs flags valued
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    if (( skip )); then skip=0; continue; fi
    case "$cmdpath" in
${cases((n) => `valued=(${n.flags.filter((f) => f.takesValue).map((f) => quote(f.flag)).join(' ')}); subs=(${n.subcommands.map((s) => quote(s.name)).join(' ')})`)}
    esac
    if [[ "$w" == -* ]]; then (( \${valued[(Ie)$w]} )) && skip=1; continue; fi
    (( \${subs[(Ie)$w]} )) && cmdpath="\${cmdpath:+$cmdpath }$w"
  done
  case "$cmdpath:$prev" in
${choiceCases}
  esac
  case "$cmdpath" in
${cases((n) => `subs=(${n.subcommands.map((s) => zq(s.name, s.description)).join(' ')}); flags=(${n.flags.map((f) => zq(f.flag, f.description)).join(' ')}); valued=(${n.flags.filter((f) => f.takesValue).map((f) => quote(f.flag)).join(' ')})`)}
  esac
  if (( \${valued[(Ie)$prev]} )); then _files; return; fi
  if [[ "$cur" == -* ]]; then _describe -t flags 'flag' flags; else _describe -t commands 'command' subs; fi
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then ${fn} "$@"; else compdef ${fn} ${name}; fi
`;
}
