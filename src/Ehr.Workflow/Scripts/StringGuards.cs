using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Interop;

namespace Ehr.Workflow.Scripts;

/// <summary>
/// Jint's memory limit is checked between statements (and charged for concatenation), so one built-in call can build
/// a huge string before it looks: <c>'x'.repeat(2 ** 28)</c>, <c>Array(9999).join(long)</c>,
/// <c>s.replaceAll('x', long)</c>, <c>JSON.stringify</c> of arrays that share one long string (all measured at
/// hundreds of megabytes to gigabytes here). These guards wrap those built-ins and refuse, before allocating, any call
/// whose result could pass <see cref="ScriptLimits.MaxStringLength"/> characters.
/// </summary>
internal static class StringGuards
{
    public static void Install(Engine engine, ScriptLimits limits)
    {
        var max = limits.MaxStringLength;
        var stringPrototype = engine.Global.Get("String").AsObject().Get("prototype").AsObject();
        var arrayPrototype = engine.Global.Get("Array").AsObject().Get("prototype").AsObject();
        var json = engine.Global.Get("JSON").AsObject();

        Wrap(engine, stringPrototype, "repeat", 1, max, (self, args) =>
            (double)TypeConverter.ToString(self).Length * (args.Length > 0 ? TypeConverter.ToNumber(args[0]) : 0));

        Wrap(engine, arrayPrototype, "join", 1, max, (self, args) =>
        {
            var length = self is ObjectInstance array ? TypeConverter.ToLength(array.Get("length")) : self.IsString() ? (ulong)self.AsString().Length : 0;
            var separator = args.Length == 0 || args[0].IsUndefined() ? 1 : TypeConverter.ToString(args[0]).Length;
            // The elements are charged by the engine as it joins them; the separator is not.
            return (double)separator * (length == 0 ? 0 : length - 1);
        });

        foreach (var name in new[] { "replace", "replaceAll" })
        {
            Wrap(engine, stringPrototype, name, 2, max, (self, args) =>
            {
                if (args.Length < 2 || args[1].IsCallable()) return 0; // a function's results are built (and charged) in script
                var subject = TypeConverter.ToString(self).Length;
                var replacement = TypeConverter.ToString(args[1]);
                // At most one substitution per position; "$&" and friends can each repeat the whole subject.
                var perMatch = replacement.Contains('$', StringComparison.Ordinal) ? (double)replacement.Length * Math.Max(1, subject) : replacement.Length;
                return subject + (subject + 1.0) * perMatch;
            });
        }

        Wrap(engine, json, "stringify", 3, max, (_, args) =>
        {
            var indent = args.Length > 2 ? Indent(args[2]) : 0;
            return args.Length == 0 ? 0 : EstimateJson(args[0], max + 1L, indent);
        });
    }

    /// <summary>
    /// An upper-bound estimate of a value's JSON length, walking it as <c>JSON.stringify</c> would (shared values counted
    /// each time they appear); stops as soon as it passes <paramref name="cap"/>.
    /// </summary>
    public static long EstimateJson(JsValue value, long cap, int indent = 0)
    {
        long total = 0;
        var onPath = new HashSet<ObjectInstance>(ReferenceEqualityComparer.Instance);
        Walk(value, 0);
        return total;

        void Walk(JsValue v, int depth)
        {
            if (total > cap) return;
            switch (v.Type)
            {
                case Types.String:
                    total += v.AsString().Length + 2;
                    return;
                case Types.Object when v.AsObject() is var obj && !v.IsCallable():
                    // A cycle makes stringify throw; leave that to it.
                    if (!onPath.Add(obj)) return;
                    total += 2 + (long)depth * indent;
                    if (v.IsArray())
                    {
                        var length = TypeConverter.ToLength(obj.Get("length"));
                        for (ulong i = 0; i < length && total <= cap; i++)
                        {
                            total += 1 + (long)(depth + 1) * indent;
                            Walk(obj.Get(i), depth + 1);
                        }
                    }
                    else
                    {
                        foreach (var key in obj.GetOwnPropertyKeys(Types.String))
                        {
                            if (total > cap) break;
                            total += key.AsString().Length + 4 + (long)(depth + 1) * indent;
                            Walk(obj.Get(key), depth + 1);
                        }
                    }

                    onPath.Remove(obj);
                    return;
                default:
                    total += 24; // numbers, booleans, null, bigint, dates' toJSON: short
                    return;
            }
        }
    }

    private static int Indent(JsValue space) =>
        space.IsNumber() ? (int)Math.Clamp(TypeConverter.ToNumber(space), 0, 10) : space.IsString() ? Math.Min(10, space.AsString().Length) : 0;

    private static void Wrap(Engine engine, ObjectInstance owner, string name, int length, int max, Func<JsValue, JsValue[], double> size)
    {
        var original = owner.Get(name);
        owner.Set(name, new ClrFunction(engine, name, (self, args) =>
        {
            var estimate = size(self, args);
            if (estimate > max)
                throw new MemoryLimitExceededException($"{name} would build about {estimate:0} characters; a script may build at most {max} at once.");
            return engine.Call(original, self, args);
        }, length));
    }
}
