# Regenerates tests/golden/canvas_ruby.json: Canvas's outcome formulas evaluated by Ruby itself.
#
# Canvas computes rollups in Ruby with binary floats and shows Float#round(2). This script
# writes those formulas out (as documented in shared research, section 1.3 of the gradebook
# methods note) and evaluates them on seeded random histories, so the test suite can check
# that CanvasRollup gives Ruby's number bit for bit without needing Ruby installed.
#
#   ruby tests/golden/canvas_ruby.rb > tests/golden/canvas_ruby.json
require "json"

MASTERY = 3.0

def weighted_average(scores, weight)
  return scores.last.round(2) if scores.length == 1

  older = scores[0..-2]
  (scores.last * (0.01 * weight) + (older.sum / older.length) * (0.01 * (100 - weight))).round(2)
end

def standard_decaying_average(scores, rate)
  return scores.first.round(2) if scores.length == 1

  decayed = nil
  scores.each_cons(2) do |earlier, later|
    decayed = (decayed.nil? ? earlier : decayed) * (0.01 * (100 - rate)) + later * (0.01 * rate)
  end
  decayed.round(2)
end

def n_mastery(scores, count)
  return nil if scores.length < count

  kept = scores.reject { |score| score < MASTERY }
  return nil if kept.length < count

  (kept.sum.to_f / kept.size).round(2)
end

def shown(method, number, scores)
  case method
  when "weighted_average" then weighted_average(scores, number)
  when "standard_decaying_average" then standard_decaying_average(scores, number)
  when "n_mastery" then n_mastery(scores, number)
  when "highest" then scores.max.round(2)
  when "latest" then scores.last.round(2)
  when "average" then (scores.sum.to_f / scores.size).round(2)
  end
end

random = Random.new(2026)
draw_score = lambda do
  case random.rand(3)
  when 0 then random.rand(0..10) / 2.0
  when 1 then random.rand(0..500) / 100.0
  else (random.rand * 5).round(random.rand(1..4))
  end
end
methods = {
  "weighted_average" => -> { random.rand(1..99) },
  "standard_decaying_average" => -> { random.rand(50..99) },
  "n_mastery" => -> { random.rand(1..4) },
  "highest" => -> { nil },
  "latest" => -> { nil },
  "average" => -> { nil },
}
known = [
  ["average", nil, [4.8, 4.51]],
  ["weighted_average", 65, [0.09, 4.59]],
  ["weighted_average", 65, [1.88, 1.98]],
  ["weighted_average", 1, [3.0, 2.5]],
  ["weighted_average", 65, [1.0, 2.0, 3.0, 4.0, 5.0]],
  ["weighted_average", 65, [4.88, 5.0]],
  ["standard_decaying_average", 65, [2.0, 3.0, 4.0]],
]
cases = known.map { |method, number, scores| [method, number, scores] }
methods.each do |method, number|
  200.times do
    scores = Array.new(random.rand(1..8)) { draw_score.call }
    cases << [method, number.call, scores]
  end
end
rows = cases.map do |method, number, scores|
  { "method" => method, "calculation_int" => number, "scores" => scores,
    "shown" => shown(method, number, scores) }
end
# One case a line, so that a change shows as a readable diff.
puts "{\"ruby\": #{RUBY_VERSION.to_json}, \"mastery\": #{MASTERY.to_json}, \"cases\": ["
puts rows.map { |row| "  #{JSON.generate(row)}" }.join(",\n")
puts "]}"
