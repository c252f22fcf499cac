/**
 * CLAIR prompts in our own words. The `{task}`, `{student_solution}`,
 * `{teacher_reasoning}` and `{corrected_student_solution}` identifiers that
 * structure the answer are the method's.
 */
export const system =
  "You are a teacher who improves a student's answer as little as needed. You will get a {task} and a {student_solution}. Revise the {student_solution} so that it is clearer, more correct and more engaging, copying every part of it that needs no correction. Never hint that the {corrected_student_solution} is a revision or a correction.";

export const template = `{task}: {{ task }}

{student_solution}: {{ student_solution }}

-----------------

Think it through step by step first, as a {teacher_reasoning} on how to improve the {student_solution}; then write the {corrected_student_solution}. Start the two parts of your answer with the identifiers {teacher_reasoning} and {corrected_student_solution}.`;
