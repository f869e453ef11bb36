using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator.Frontend;

/// <summary>
/// A <c>switch</c> statement in a loop body whose sections leave the iteration: a section may end with <c>continue</c> (the
/// loop's next iteration) or, in a loop that may return, <c>return</c>, besides <c>break</c> (the end of the switch). As
/// for an <c>if</c> that leaves the iteration, the rest of the body is copied into the sections that end with
/// <c>break</c> (and into the default, or a default of its own when there is none).
/// </summary>
internal sealed partial class PrimalLowering
{
    private bool LeavesIteration(SwitchStatementSyntax sw) =>
        ContainsContinue(sw) || (_exit is { AllowsReturn: true } && ContainsReturn(sw));

    private void LowerLeavingSwitch(SwitchStatementSyntax sw, List<StatementSyntax> tail)
    {
        Note(sw);
        var g = LowerSwitchGoverning(sw.Expression);
        var sections = new List<(SwitchSectionSyntax Section, List<StatementSyntax> Body)>();
        List<StatementSyntax>? defaultBody = null;
        var copies = 0;
        foreach (var section in sw.Sections)
        {
            var body = Flatten(section.Statements);
            var last = body.Count == 0 ? null : body[body.Count - 1];
            if (last is BreakStatementSyntax) body.RemoveAt(body.Count - 1);
            else if (last is not (ContinueStatementSyntax or ReturnStatementSyntax))
                throw new UnsupportedException("a switch section in a loop must end with 'break', 'continue' or 'return'", section);
            var early = body.SelectMany(s => s.DescendantNodesAndSelf(n => !IsLoopOrFunction(n) && n is not SwitchStatementSyntax))
                .OfType<BreakStatementSyntax>().FirstOrDefault();
            if (early is not null)
                throw new UnsupportedException(
                    "'break' before the end of a switch section is not supported; put the rest of the section in an 'if'", early);
            if (last is BreakStatementSyntax)
            {
                body.AddRange(tail);
                copies++;
            }
            else if (tail.Count > 0 && IsDoTest(tail[tail.Count - 1]))
            {
                body.Add(tail[tail.Count - 1]);  // 'continue' in a do loop goes to its test
            }
            if (section.Labels.Any(l => l is DefaultSwitchLabelSyntax)) defaultBody = body;
            else sections.Add((section, body));
        }
        if (defaultBody is null)
        {
            defaultBody = new List<StatementSyntax>(tail);
            copies++;
        }
        var tailSize = tail.Where(t => !IsDoTest(t)).Sum(t => t.DescendantNodesAndSelf().OfType<StatementSyntax>().Count());
        if (_duplicated + tailSize * (copies - 1) > DuplicationBudget)
            throw new UnsupportedException(
                $"the statements after this 'switch' would be copied into too many sections (over {DuplicationBudget}); put the " +
                "rest of the loop body in an 'if' instead", sw);
        _duplicated += tailSize * (copies - 1);
        void Chain(int k)
        {
            if (k == sections.Count)
            {
                LowerLoopBody(defaultBody!);
                return;
            }
            LowerBranches(SectionCondition(sections[k].Section, g), () => LowerLoopBody(sections[k].Body), () => Chain(k + 1));
        }
        Chain(0);
    }
}
