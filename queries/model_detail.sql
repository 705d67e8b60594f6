-- model_detail: one model with its policy's numbers, its parent and its children.
SELECT m.model_id, m.name, m.family, m.parent_model_id, parent.name AS parent_name, m.derivation, m.asl_level,
       m.policy_id, m.status,
       (SELECT list({'model_id': child.model_id, 'name': child.name, 'derivation': child.derivation}
                    ORDER BY child.model_id)
        FROM models child WHERE child.parent_model_id = m.model_id) AS children
FROM models m
LEFT JOIN models parent ON parent.model_id = m.parent_model_id
WHERE m.model_id = $model_id
