// Generated from swift-argument-parser 1.8.2's `fileopenctl --generate-completion-script SHELL`
// (the last version of fileopenctl built with it); keep in step with CtlSubcommand's options.

extension CompletionShell {
    /// The zsh script, as printed (without the final newline `print` adds).
    static let zshScript = ##"""
#compdef fileopenctl

__fileopenctl_complete() {
    local -ar non_empty_completions=("${@:#(|:*)}")
    local -ar empty_completions=("${(M)@:#(|:*)}")
    _describe -V '' non_empty_completions -- empty_completions -P $'\'\''
}

__fileopenctl_custom_complete() {
    local -a completions
    completions=("${(@f)"$("${command_name}" "${@}" "${command_line[@]}")"}")
    if [[ "${#completions[@]}" -gt 1 ]]; then
        __fileopenctl_complete "${completions[@]:0:-1}"
    fi
}

__fileopenctl_cursor_index_in_current_word() {
    if [[ -z "${QIPREFIX}${IPREFIX}${PREFIX}" ]]; then
        printf 0
    else
        printf %s "${#${(z)LBUFFER}[-1]}"
    fi
}

_fileopenctl() {
    emulate -RL zsh -G
    setopt extendedglob nullglob numericglobsort
    unsetopt aliases banghist

    local -xr SAP_SHELL=zsh
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(builtin emulate zsh -c 'printf %s "${ZSH_VERSION}"')"
    local -r SAP_SHELL_VERSION

    local context state state_descr line
    local -A opt_args

    local -r command_name="${words[1]}"
    local -ar command_line=("${words[@]}")
    local -ir current_word_index="$((CURRENT - 1))"

    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s query socket.]:path:_files'
        '--json[Print the daemon'\''s reply as JSON lines instead of tables.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'status:Show the daemon'\''s version, attach mode, records, drops, ring buffer and clients.'
            'top:List the processes (or commands, or units) that open the most files.'
            'proc:Show one process: its counters, failures by errno and most opened paths.'
            'tail:Stream file opens as they happen: PID TID COMM FD ERR PATH, like opensnoop.'
            'reset:Zero every tracked process'\''s top paths and rate windows (root only).'
            'help:Show subcommand help information.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        status|top|proc|tail|reset|help)
            "_fileopenctl_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_fileopenctl_status() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s query socket.]:path:_files'
        '--json[Print the daemon'\''s reply as JSON lines instead of tables.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_fileopenctl_top() {
    local -i ret=1
    local -ar ___group=('process' 'comm' 'unit')
    local -ar arg_specs=(
        '--socket[The daemon'\''s query socket.]:path:_files'
        '--json[Print the daemon'\''s reply as JSON lines instead of tables.]'
        '--by[What to rank by\: lifetime counts or rates; or unit, comm or process (the same as --group).]:order:'
        '--group[What to rank\: process (default), comm or unit.]:group:{__fileopenctl_complete "${___group[@]}"}'
        '--limit[How many processes to show, 1 to 1000.]:n:'
        '--comm[Only processes with this command name (exact match).]:name:'
        '--watch[Redraw every SECONDS (default 2) until Ctrl-C.]:seconds:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_fileopenctl_proc() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s query socket.]:path:_files'
        '--json[Print the daemon'\''s reply as JSON lines instead of tables.]'
        ':pid:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_fileopenctl_tail() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s query socket.]:path:_files'
        '--json[Print the daemon'\''s reply as JSON lines instead of tables.]'
        '--pid[Only opens by this process id.]:pid:'
        '--comm[Only opens by this command name (exact match).]:name:'
        '--path-prefix[Only opens whose path as passed, or as resolved, starts with this text.]:prefix:'
        '--failed[Only failed opens.]'
        '--unit[Only opens in this unit (as the unit label of the metrics).]:name:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_fileopenctl_reset() {
    local -i ret=1
    local -ar arg_specs=(
        '--socket[The daemon'\''s query socket.]:path:_files'
        '--json[Print the daemon'\''s reply as JSON lines instead of tables.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_fileopenctl_help() {
    local -i ret=1
    local -ar arg_specs=(
        '*:subcommands:'
        '--version[Show the version.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

if [[ "${funcstack[1]}" = _fileopenctl ]]; then
    _fileopenctl "${@}"
else
    compdef _fileopenctl fileopenctl
fi
"""##

    /// The bash script, as printed (without the final newline `print` adds).
    static let bashScript = ##"""
#!/bin/bash

__fileopenctl_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__fileopenctl_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__fileopenctl_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__fileopenctl_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_fileopenctl() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--json --version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=(--socket)
    __fileopenctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        __fileopenctl_add_completions -f
        return
        ;;
    esac

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    status|top|proc|tail|reset|help)
        # Offer subcommand argument completions
        "_fileopenctl_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'status top proc tail reset help' -- "${cur}"))
        ;;
    esac
}

_fileopenctl_status() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __fileopenctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        __fileopenctl_add_completions -f
        return
        ;;
    esac
}

_fileopenctl_top() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --by --group --limit --comm --watch)
    __fileopenctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        __fileopenctl_add_completions -f
        return
        ;;
    '--by')
        return
        ;;
    '--group')
        __fileopenctl_add_completions -W 'process'$'\n''comm'$'\n''unit'
        return
        ;;
    '--limit')
        return
        ;;
    '--comm')
        return
        ;;
    '--watch')
        return
        ;;
    esac
}

_fileopenctl_proc() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __fileopenctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        __fileopenctl_add_completions -f
        return
        ;;
    esac
}

_fileopenctl_tail() {
    repeating_flags=()
    non_repeating_flags=(--json --failed --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --pid --comm --path-prefix --unit)
    __fileopenctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        __fileopenctl_add_completions -f
        return
        ;;
    '--pid')
        return
        ;;
    '--comm')
        return
        ;;
    '--path-prefix')
        return
        ;;
    '--unit')
        return
        ;;
    esac
}

_fileopenctl_reset() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __fileopenctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        __fileopenctl_add_completions -f
        return
        ;;
    esac
}

_fileopenctl_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __fileopenctl_offer_flags_options -1
}

complete -o filenames -F _fileopenctl fileopenctl
"""##

    /// The fish script, as printed (without the final newline `print` adds).
    static let fishScript = ##"""
function __fileopenctl_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __fileopenctl_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __fileopenctl_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __fileopenctl_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __fileopenctl_parse_tokens -S
    set -l unparsed_tokens (__fileopenctl_tokens -pc)
    switch $unparsed_tokens[1]
    case 'fileopenctl'
        __fileopenctl_parse_subcommand 0 'socket=' 'json' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'status'
            __fileopenctl_parse_subcommand 0 'socket=' 'json' 'version' 'h/help'
        case 'top'
            __fileopenctl_parse_subcommand 0 'socket=' 'json' 'by=' 'group=' 'limit=' 'comm=' 'watch=' 'version' 'h/help'
        case 'proc'
            __fileopenctl_parse_subcommand 1 'socket=' 'json' 'version' 'h/help'
        case 'tail'
            __fileopenctl_parse_subcommand 0 'socket=' 'json' 'pid=' 'comm=' 'path-prefix=' 'failed' 'unit=' 'version' 'h/help'
        case 'reset'
            __fileopenctl_parse_subcommand 0 'socket=' 'json' 'version' 'h/help'
        case 'help'
            __fileopenctl_parse_subcommand -r 1 'version'
        end
    end
end

function __fileopenctl_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __fileopenctl_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __fileopenctl_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __fileopenctl_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__fileopenctl_tokens -p)
    if test -z "$(__fileopenctl_tokens -t)"
        set -l index (count (__fileopenctl_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'fileopenctl' -f
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl" socket' -l 'socket' -d 'The daemon\'s query socket.' -rF
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl" json' -l 'json' -d 'Print the daemon\'s reply as JSON lines instead of tables.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl" version' -l 'version' -d 'Show the version.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_positional "fileopenctl" -eq 1' -fa 'status' -d 'Show the daemon\'s version, attach mode, records, drops, ring buffer and clients.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_positional "fileopenctl" -eq 1' -fa 'top' -d 'List the processes (or commands, or units) that open the most files.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_positional "fileopenctl" -eq 1' -fa 'proc' -d 'Show one process: its counters, failures by errno and most opened paths.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_positional "fileopenctl" -eq 1' -fa 'tail' -d 'Stream file opens as they happen: PID TID COMM FD ERR PATH, like opensnoop.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_positional "fileopenctl" -eq 1' -fa 'reset' -d 'Zero every tracked process\'s top paths and rate windows (root only).'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_positional "fileopenctl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl status" socket' -l 'socket' -d 'The daemon\'s query socket.' -rF
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl status" json' -l 'json' -d 'Print the daemon\'s reply as JSON lines instead of tables.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl status" version' -l 'version' -d 'Show the version.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl top" socket' -l 'socket' -d 'The daemon\'s query socket.' -rF
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl top" json' -l 'json' -d 'Print the daemon\'s reply as JSON lines instead of tables.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl top" by' -l 'by' -d 'What to rank by: lifetime counts or rates; or unit, comm or process (the same as --group).' -rfka ''
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl top" group' -l 'group' -d 'What to rank: process (default), comm or unit.' -rfka 'process comm unit'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl top" limit' -l 'limit' -d 'How many processes to show, 1 to 1000.' -rfka ''
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl top" comm' -l 'comm' -d 'Only processes with this command name (exact match).' -rfka ''
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl top" watch' -l 'watch' -d 'Redraw every SECONDS (default 2) until Ctrl-C.' -rfka ''
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl top" version' -l 'version' -d 'Show the version.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl top" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl proc" socket' -l 'socket' -d 'The daemon\'s query socket.' -rF
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl proc" json' -l 'json' -d 'Print the daemon\'s reply as JSON lines instead of tables.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl proc" version' -l 'version' -d 'Show the version.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl proc" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl tail" socket' -l 'socket' -d 'The daemon\'s query socket.' -rF
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl tail" json' -l 'json' -d 'Print the daemon\'s reply as JSON lines instead of tables.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl tail" pid' -l 'pid' -d 'Only opens by this process id.' -rfka ''
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl tail" comm' -l 'comm' -d 'Only opens by this command name (exact match).' -rfka ''
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl tail" path-prefix' -l 'path-prefix' -d 'Only opens whose path as passed, or as resolved, starts with this text.' -rfka ''
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl tail" failed' -l 'failed' -d 'Only failed opens.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl tail" unit' -l 'unit' -d 'Only opens in this unit (as the unit label of the metrics).' -rfka ''
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl tail" version' -l 'version' -d 'Show the version.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl tail" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl reset" socket' -l 'socket' -d 'The daemon\'s query socket.' -rF
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl reset" json' -l 'json' -d 'Print the daemon\'s reply as JSON lines instead of tables.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl reset" version' -l 'version' -d 'Show the version.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl reset" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fileopenctl' -n '__fileopenctl_should_offer_completions_for_flags_or_options "fileopenctl help" version' -l 'version' -d 'Show the version.'
"""##
}
